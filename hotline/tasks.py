"""Background work of the hotline desk."""

from django.tasks import task

from hotline.suggest import category_model_train
from org.models import Office


@task()
def train_category_models(office_ids: list[int] | None = None) -> dict[int, float | None]:
    """Retrain the category models (all offices, or the ones given); returns the
    hold-out accuracy per office (None: too little history, rules are used)."""
    offices = (
        Office.objects.all() if office_ids is None else Office.objects.filter(id__in=office_ids)
    )
    result = {}
    for office in offices:
        model = category_model_train(office=office)
        result[office.id] = model.holdout_accuracy if model else None
    return result
