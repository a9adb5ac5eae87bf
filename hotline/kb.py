"""The knowledge base of problems and solutions, searched word by word in Chinese."""

from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.utils.translation import gettext as _

from core.errors import BadInput, NotAllowed, NotFound
from hotline.models import Article
from hotline.policies import can, visible
from hotline.text import words
from org.models import Office, User
from tickets.categories import categories_for
from tickets.models import Status, Ticket
from tickets.policies import visible as visible_tickets

CANDIDATES = 300


def search_text_of(*parts: str) -> str:
    # Spaces around every word, so " 漏水 " matches the word and not a part of another.
    return " " + " ".join(sorted(set(words(" ".join(parts))))) + " "


def article_list(*, user: User, category: str | None = None) -> QuerySet[Article]:
    """The articles the user may read, of one category if given."""
    qs: QuerySet[Article] = visible(user, Article.objects.all())
    return qs.filter(category=category) if category else qs


def article_search(
    *, user: User, query: str, category: str | None = None, limit: int = 10
) -> list[Article]:
    """Articles sharing the most words with the query, then the most helpful."""
    qs = article_list(user=user, category=category)
    terms = set(words(query))
    if not terms:
        return list(qs.order_by("-helped", "-id")[:limit])
    match = Q()
    for term in terms:
        match |= Q(search_text__contains=f" {term} ")
    candidates = list(qs.filter(match)[:CANDIDATES])
    scored = []
    for article in candidates:
        hits = sum(1 for t in terms if f" {t} " in article.search_text)
        scored.append((hits, article.helped, article.id, article))
    scored.sort(reverse=True, key=lambda s: s[:3])
    return [s[3] for s in scored[:limit]]


def article_create(
    *,
    actor: User,
    category: str,
    title: str,
    problem: str,
    solution: str,
    office: Office | None = None,
    source_ticket: Ticket | None = None,
) -> Article:
    if not can(actor, "edit_kb"):
        raise NotAllowed(_("You may not edit the knowledge base."))
    missing = {
        f: [_("This field is required.")]
        for f, v in (("title", title), ("problem", problem), ("solution", solution))
        if not v.strip()
    }
    if missing:
        raise BadInput(_("Invalid data."), fields=missing)
    return Article.objects.create(
        company_id=actor.company_id,
        office=office,
        category=category,
        title=title.strip(),
        problem=problem.strip(),
        solution=solution.strip(),
        search_text=search_text_of(title, problem, solution),
        source_ticket=source_ticket,
        created_by=actor,
    )


def article_update(*, article: Article, actor: User, **fields) -> Article:
    if not can(actor, "edit_kb"):
        raise NotAllowed(_("You may not edit the knowledge base."))
    for name in ("category", "title", "problem", "solution"):
        if fields.get(name) is not None:
            setattr(article, name, fields[name].strip())
    article.search_text = search_text_of(article.title, article.problem, article.solution)
    article.save()
    return article


@transaction.atomic
def article_from_ticket(*, ticket_id: int, actor: User) -> Article:
    """One click: the resolved ticket's problem and solution become an article."""
    ticket = (
        visible_tickets(actor, Ticket.objects.select_related("office")).filter(id=ticket_id).first()
    )
    if ticket is None:
        raise NotFound(_("Ticket not found."))
    if ticket.status not in (Status.RESOLVED, Status.CLOSED) or not ticket.resolution.strip():
        raise BadInput(
            _("Only a resolved ticket has a solution to keep."),
            fields={"ticket": [_("Not resolved.")]},
        )
    if ticket.category not in categories_for(ticket.office):
        raise BadInput(_("Unknown category."))
    return article_create(
        actor=actor,
        category=ticket.category,
        title=ticket.title,
        problem=ticket.description or ticket.title,
        solution=ticket.resolution,
        office=ticket.office,
        source_ticket=ticket,
    )


def article_helped(*, article_id: int, actor: User) -> Article:
    """Count one more time the article helped an agent answer."""
    article = visible(actor, Article.objects.all()).filter(id=article_id).first()
    if article is None:
        raise NotFound(_("Article not found."))
    Article.objects.filter(pk=article.pk).update(helped=F("helped") + 1)
    article.refresh_from_db(fields=["helped"])
    return article
