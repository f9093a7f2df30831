"""Annotations: anchors in logical text, Markdown export, W3C Web Annotation import and export."""
