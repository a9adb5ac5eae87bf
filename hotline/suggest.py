"""Category and department suggested while an agent types (API.md: POST
/tickets/suggest). Learned from the office's own resolved tickets with scikit-learn
(jieba words plus character n-grams, which forgive typos, into a logistic
regression); a new office without enough history gets the rule-based suggestion."""

import io
import logging
import random
from dataclasses import dataclass

import joblib
from django.db import transaction
from django.utils import timezone
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion, Pipeline
from threadpoolctl import threadpool_limits

from hotline.models import CategoryModel
from hotline.text import normalise, tokenize, words
from org.models import Office
from tickets.categories import categories_for
from tickets.models import Status, Ticket

log = logging.getLogger(__name__)

MIN_SAMPLES = 60  # fewer resolved tickets than this: rules only
MIN_PER_CATEGORY = 3
HOLDOUT_SHARE = 0.2
MAX_TRAINING = 50_000  # the most recent resolved tickets are enough

# API.md's scope of each default category, as the words owners use.
RULES: dict[str, tuple[str, ...]] = {
    "water": (
        "水",
        "漏水",
        "渗水",
        "滴水",
        "水管",
        "水龙头",
        "下水",
        "堵",
        "马桶",
        "水压",
        "停水",
        "地漏",
        "水表",
        "爆管",
    ),
    "electricity": (
        "电",
        "停电",
        "跳闸",
        "插座",
        "开关",
        "灯",
        "电路",
        "电表",
        "漏电",
        "照明",
        "没电",
    ),
    "heating": ("暖气", "供暖", "采暖", "温度", "不热", "暖片", "地暖", "冷"),
    "lift": ("电梯", "困人", "梯", "轿厢", "楼梯间电梯"),
    "noise": ("噪音", "吵", "声音", "钢琴", "装修声", "响", "扰民", "广场舞", "半夜"),
    "pets": ("狗", "猫", "宠物", "狗屎", "粪便", "遛狗", "犬", "咬人"),
    "parking": ("车位", "停车", "车", "道闸", "充电桩", "挪车", "占用", "车库"),
    "hygiene": ("垃圾", "保洁", "臭", "异味", "蟑螂", "老鼠", "卫生", "清扫", "苍蝇", "蚊子"),
    "security": ("保安", "门禁", "偷", "被盗", "陌生人", "小偷", "监控", "安全", "门卡"),
    "decoration": ("装修", "施工", "改造", "砸墙", "装修许可", "违建", "搭建"),
    "fees": ("物业费", "收费", "账单", "退费", "缴费", "发票", "费用", "欠费", "水电费"),
    "facilities": (
        "门",
        "窗",
        "屋顶",
        "墙",
        "外墙",
        "游乐",
        "绿化",
        "树",
        "草坪",
        "路灯",
        "楼道",
        "扶手",
        "台阶",
    ),
}


@dataclass(frozen=True)
class Suggestion:
    category: str
    department_kind: str
    confidence: float
    source: str  # "model" or "rules"


def rule_suggest(text: str) -> tuple[str, float]:
    """The category whose words appear most (longer words weigh more)."""
    found = set(words(text))
    norm = normalise(text)
    scores = {}
    for category, keys in RULES.items():
        score = sum(len(k) for k in keys if k in found or (len(k) > 1 and k in norm))
        if score:
            scores[category] = score
    if not scores:
        return "other", 0.0
    best = max(scores, key=lambda c: (scores[c], c))
    return best, round(scores[best] / sum(scores.values()), 3)


def _pipeline() -> Pipeline:
    return Pipeline(
        [
            (
                "features",
                FeatureUnion(
                    [
                        (
                            "words",
                            TfidfVectorizer(
                                tokenizer=tokenize,
                                token_pattern=None,
                                lowercase=False,
                                sublinear_tf=True,
                            ),
                        ),
                        (
                            "chars",
                            TfidfVectorizer(
                                analyzer="char_wb", ngram_range=(1, 3), sublinear_tf=True, min_df=2
                            ),
                        ),
                    ]
                ),
            ),
            ("classify", LogisticRegression(max_iter=2000, C=8.0)),
        ]
    )


def _training_data(office: Office) -> tuple[list[str], list[str]]:
    rows = (
        Ticket.objects.filter(office=office, status__in=(Status.RESOLVED, Status.CLOSED))
        .order_by("-resolved_at", "-id")
        .values_list("title", "description", "category")[:MAX_TRAINING]
    )
    texts, labels = [], []
    for title, description, category in rows:
        texts.append(f"{title} {description}")
        labels.append(category)
    return texts, labels


def _split(texts: list[str], labels: list[str], seed: int) -> tuple[list[int], list[int]]:
    """A stratified, seeded hold-out: each category gives its share to the test set."""
    by_label: dict[str, list[int]] = {}
    for i, label in enumerate(labels):
        by_label.setdefault(label, []).append(i)
    rng = random.Random(seed)
    train, test = [], []
    for label in sorted(by_label):
        idx = by_label[label]
        rng.shuffle(idx)
        cut = max(1, round(len(idx) * HOLDOUT_SHARE)) if len(idx) >= 5 else 0
        test += idx[:cut]
        train += idx[cut:]
    return train, test


def evaluate(texts: list[str], labels: list[str], seed: int = 20261125) -> float | None:
    """Accuracy on a held-out fifth of the data (model trained on the rest)."""
    train, test = _split(texts, labels, seed)
    if not test or len({labels[i] for i in train}) < 2:
        return None
    model = _pipeline().fit([texts[i] for i in train], [labels[i] for i in train])
    predicted = model.predict([texts[i] for i in test])
    return round(sum(p == labels[i] for p, i in zip(predicted, test, strict=True)) / len(test), 4)


def category_model_train(*, office: Office) -> CategoryModel | None:
    """Train (or retrain) the office's model on its resolved tickets and keep it with
    its hold-out accuracy. Returns None when the history is too thin to learn from."""
    texts, labels = _training_data(office)
    counts = {c: labels.count(c) for c in set(labels)}
    keep = [i for i, c in enumerate(labels) if counts[c] >= MIN_PER_CATEGORY]
    texts, labels = [texts[i] for i in keep], [labels[i] for i in keep]
    if len(texts) < MIN_SAMPLES or len(set(labels)) < 2:
        return None
    # One BLAS thread: on a small machine its default threads make a fit ten times slower.
    with threadpool_limits(limits=1):
        accuracy = evaluate(texts, labels)
        model = _pipeline().fit(texts, labels)
    buffer = io.BytesIO()
    joblib.dump(model, buffer, compress=3)
    with transaction.atomic():
        row, _created = CategoryModel.objects.update_or_create(
            office=office,
            defaults={
                "trained_at": timezone.now(),
                "samples": len(texts),
                "holdout_accuracy": accuracy,
                "blob": buffer.getvalue(),
            },
        )
    _loaded.pop(office.id, None)
    return row


# Fitted models by office id, with the time they were trained (one process's cache).
_loaded: dict[int, tuple[object, object]] = {}


def _model_for(office: Office):
    row = CategoryModel.objects.filter(office=office).only("trained_at").first()
    if row is None:
        return None
    cached = _loaded.get(office.id)
    if cached and cached[0] == row.trained_at:
        return cached[1]
    blob = CategoryModel.objects.filter(pk=row.pk).values_list("blob", flat=True).first()
    model = joblib.load(io.BytesIO(bytes(blob)))
    _loaded[office.id] = (row.trained_at, model)
    return model


def suggest(*, office: Office, text: str) -> Suggestion:
    """The likely category of `text` and the department kind that handles it."""
    categories = categories_for(office)
    category, confidence, source = "other", 0.0, "rules"
    model = _model_for(office) if text.strip() else None
    if model is not None:
        probabilities = model.predict_proba([text])[0]
        best = int(probabilities.argmax())
        category, confidence, source = (
            str(model.classes_[best]),
            round(float(probabilities[best]), 3),
            "model",
        )
    elif text.strip():
        category, confidence = rule_suggest(text)
    if category not in categories:
        category, confidence = "other", 0.0
    return Suggestion(category, categories[category].department_kind, confidence, source)
