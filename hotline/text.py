"""Chinese text as words: jieba segmentation for knowledge-base search and the
category model. The dictionary ships inside the jieba package (no download)."""

import re
import unicodedata
from functools import lru_cache

import jieba

jieba.setLogLevel(60)  # jieba logs its dictionary loading at INFO

_KEEP = re.compile(r"[\w]", re.UNICODE)
# Words that say nothing about the matter (how owners open and close a call).
STOPWORDS = frozenset(
    [
        "的",
        "了",
        "吗",
        "呢",
        "吧",
        "啊",
        "呀",
        "哦",
        "嗯",
        "是",
        "在",
        "有",
        "我",
        "我家",
        "你",
        "你们",
        "他",
        "她",
        "它",
        "我们",
        "也",
        "都",
        "就",
        "还",
        "又",
        "和",
        "跟",
        "与",
        "这",
        "那",
        "这个",
        "那个",
        "一下",
        "一个",
        "请",
        "麻烦",
        "谢谢",
        "你好",
        "您好",
        "喂",
        "那边",
        "这边",
        "什么",
        "怎么",
        "怎么办",
        "能不能",
        "可以",
        "帮",
        "帮忙",
        "一直",
        "已经",
        "现在",
        "今天",
        "昨天",
        "刚才",
        "好像",
        "有点",
        "特别",
        "非常",
        "太",
        "很",
    ]
)


def normalise(text: str) -> str:
    return unicodedata.normalize("NFKC", text or "").lower()


def words(text: str) -> list[str]:
    """The words of `text` for matching: segmented for search (long words also give
    their parts), without punctuation and stopwords."""
    return [
        w
        for w in jieba.cut_for_search(normalise(text))
        if w.strip() and _KEEP.search(w) and w not in STOPWORDS
    ]


def tokenize(text: str) -> list[str]:
    """The category model's tokenizer (module level, so a fitted model can be pickled)."""
    return words(text)


@lru_cache(maxsize=1)
def warm() -> bool:
    """Load jieba's dictionary now (about half a second) rather than on the first call."""
    jieba.initialize()
    return True
