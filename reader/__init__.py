"""reader: a terminal news reader built for Arabic first."""

__version__ = "0.1.0"

#: The name to install reader by (`pip install arabic-news-reader`): the package index's
#: `reader` is another project. The command and this package stay `reader`.
DISTRIBUTION = "arabic-news-reader"
