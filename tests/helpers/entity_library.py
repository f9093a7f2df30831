"""A small library of news for the entity index tests: three short texts written for them,
with people, organisations and places in each, and the article made of each."""

from __future__ import annotations

from reader.models import Article, Block

#: Per article id: (published, title, text).
TEXTS = {
    "a1": (
        "2025-03-01",
        "ماسك يلتقي ألتمان",
        "التقى إيلون ماسك في الرياض مع سام ألتمان الرئيس التنفيذي لشركة OpenAI. "
        "وقال ماسك إن الشركة يجب أن تعود إلى جذورها. وأضاف ألتمان أن OpenAI ليست للبيع.",
    ),
    "a2": (
        "2025-03-05",
        "زيارة إلى القاهرة",
        "وصل إيلون ماسك إلى القاهرة حيث التقى مسؤولين في وزارة الاتصالات المصرية. "
        "وأكد ماسك أن شركة تسلا تدرس الاستثمار في مصر.",
    ),
    "a3": (
        "2025-02-10",
        "أخبار الرياض",
        "افتتحت في الرياض أمس فعاليات معرض التقنية بحضور ممثلين عن شركة مايكروسوفت "
        "وشركة OpenAI. وقالت وزارة الاتصالات إن المعرض يستمر أسبوعا.",
    ),
}


def news_article(key: str, text: str | None = None) -> Article:
    """The article `key` of TEXTS (with `text` instead of its own, when given)."""
    published, title, body = TEXTS[key]
    return Article(
        id=key,
        title=title,
        source=f"https://example.com/{key}",
        blocks=[Block("paragraph", text if text is not None else body)],
        published=published,
    )
