"""Knowledge-base management in the back office (SPEC §10): the seller's articles — list,
write, edit with a translation per language and situation tags, deactivate. Owners and
agents edit; viewers read; door staff have no access. Writes are `postsale.kb` services."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language, gettext_lazy, pgettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from postsale.backoffice.access import seller_required
from postsale.backoffice.permissions import Cap
from postsale.backoffice.views import actor_of
from postsale.core.errors import DomainError, NotFound
from postsale.kb.models import Article
from postsale.kb.placeholders import placeholder_list, unknown_in
from postsale.kb.selectors import (
    article_get,
    articles_for_seller,
    deflection_counts,
    language_chain,
    shown,
)
from postsale.kb.services import (
    ArticleDraft,
    TranslationDraft,
    article_create,
    article_set_active,
    article_update,
)
from postsale.kb.situations import SITUATIONS

LANGUAGES = dict(settings.LANGUAGES)


class ArticleForm(forms.Form):
    """The editor: general fields, then title, text and steps for each language."""

    slug = forms.CharField(label=gettext_lazy("Short name"), max_length=80,
                           help_text=gettext_lazy("Lower-case letters, digits and hyphens; "
                                                  "unique among your articles."))
    position = forms.IntegerField(label=pgettext_lazy("position in a list", "Order"),
                                  initial=100, min_value=0,
                                  max_value=32767,
                                  help_text=gettext_lazy("Lower numbers are shown first."))
    active = forms.BooleanField(label=gettext_lazy("Active (shown to customers and agents)"),
                                required=False, initial=True)
    situations = forms.MultipleChoiceField(
        label=gettext_lazy("Shown to customers who say"), required=False,
        choices=list(SITUATIONS.items()), widget=forms.CheckboxSelectMultiple)
    other_tags = forms.CharField(label=gettext_lazy("Other tags"), required=False,
                                 max_length=500,
                                 help_text=gettext_lazy("Comma-separated; agents find the "
                                                        "article by them."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for code in LANGUAGES:
            self.fields[f"title_{code}"] = forms.CharField(
                label=_("Title"), required=False, max_length=200)
            self.fields[f"body_{code}"] = forms.CharField(
                label=_("Text"), required=False, widget=forms.Textarea)
            self.fields[f"checklist_{code}"] = forms.CharField(
                label=_("Steps, one per line"), required=False, widget=forms.Textarea)

    @classmethod
    def for_article(cls, article: Article) -> "ArticleForm":
        tags = [t.tag for t in article.tags.all()]
        initial = {"slug": article.slug, "position": article.position,
                   "active": article.active,
                   "situations": [t for t in tags if t in SITUATIONS],
                   "other_tags": ", ".join(t for t in tags if t not in SITUATIONS)}
        for t in article.translations.all():
            initial |= {f"title_{t.language}": t.title, f"body_{t.language}": t.body,
                        f"checklist_{t.language}": "\n".join(t.checklist)}
        return cls(initial=initial)

    def languages(self) -> list[dict]:
        """Each language's fields, for the template; open when written or just failed."""
        result = []
        for code, name in LANGUAGES.items():
            fields = [self[f"{part}_{code}"] for part in ("title", "body", "checklist")]
            written = any(f.value() for f in fields)
            result.append({"code": code, "name": name, "fields": fields,
                           "open": written or any(f.errors for f in fields),
                           "unknown": sorted({u for f in fields for u in unknown_in(
                               str(f.value() or ""))})})
        return result

    def to_draft(self) -> ArticleDraft:
        data = self.cleaned_data
        others = [t.strip().lower().replace(" ", "-")
                  for t in data["other_tags"].split(",") if t.strip()]
        return ArticleDraft(
            slug=data["slug"], position=data["position"], active=data["active"],
            tags=(*data["situations"], *others),
            translations={code: TranslationDraft(
                title=data[f"title_{code}"], body=data[f"body_{code}"],
                checklist=tuple(data[f"checklist_{code}"].splitlines()))
                for code in LANGUAGES})

    def add_domain_errors(self, errors: dict[str, str]) -> None:
        """Put a service's field errors ("translations.pl.title") on the editor's fields."""
        for key, message in errors.items():
            parts = key.split(".")
            if parts[0] == "translations" and len(parts) == 3:
                field = f"{parts[2]}_{parts[1]}"
            elif key == "tags":
                field = "other_tags"
            else:
                field = key if key in self.fields else None
            self.add_error(field if field in self.fields else None, message)


def _article_or_404(request: HttpRequest, pk: int) -> Article:
    try:
        return article_get(seller=request.access.seller, pk=pk)
    except NotFound:
        raise Http404 from None


@seller_required(can=Cap.VIEW_TICKETS)
@require_GET
def article_list(request: HttpRequest) -> HttpResponse:
    seller = request.access.seller
    q, tag = request.GET.get("q", "")[:100], request.GET.get("tag", "")[:50]
    chain = language_chain(get_language(), seller)
    articles = articles_for_seller(seller, q=q, tag=tag)
    counts = deflection_counts(seller)
    rows = [{"article": a, "shown": shown(a, chain), "languages": sorted(
        t.language for t in a.translations.all()), "counts": counts.get(a.pk, (0, 0))}
        for a in articles]
    return render(request, "backoffice/kb/list.html", {
        "rows": rows, "q": q, "tag": tag, "situations": SITUATIONS,
        "can_edit": request.access.has(Cap.EDIT_KB)})


def _editor(request: HttpRequest, form: ArticleForm, *, article: Article | None = None,
            error: str = "", status: int = 200) -> HttpResponse:
    return render(request, "backoffice/kb/edit.html", {
        "form": form, "article": article, "error": error, "placeholders": placeholder_list(),
        "can_edit": request.access.has(Cap.EDIT_KB)}, status=status)


@seller_required(can=Cap.EDIT_KB)
@require_http_methods(["GET", "POST"])
def article_new(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return _editor(request, ArticleForm(initial={"position": 100, "active": True}))
    form = ArticleForm(request.POST)
    if not form.is_valid():
        return _editor(request, form, error=_("Please correct the marked fields."), status=422)
    try:
        article = article_create(seller=request.access.seller, draft=form.to_draft(),
                                 actor=actor_of(request))
    except DomainError as exc:
        form.add_domain_errors(exc.field_errors)
        return _editor(request, form, error=exc.message, status=exc.status)
    messages.success(request, _("Article “%(slug)s” saved.") % {"slug": article.slug})
    return redirect("backoffice:kb_article", article.pk)


@seller_required(can=Cap.VIEW_TICKETS)
@require_http_methods(["GET", "POST"])
def article_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the editor (read-only for viewers). POST: save (owners and agents)."""
    article = _article_or_404(request, pk)
    if request.method == "GET":
        return _editor(request, ArticleForm.for_article(article), article=article)
    if not request.access.has(Cap.EDIT_KB):
        return render(request, "backoffice/forbidden.html", status=403)
    form = ArticleForm(request.POST)
    if not form.is_valid():
        return _editor(request, form, article=article, status=422,
                       error=_("Please correct the marked fields."))
    try:
        article = article_update(article=article, draft=form.to_draft(),
                                 actor=actor_of(request))
    except DomainError as exc:
        form.add_domain_errors(exc.field_errors)
        return _editor(request, form, article=article, error=exc.message, status=exc.status)
    messages.success(request, _("Article “%(slug)s” saved.") % {"slug": article.slug})
    return redirect("backoffice:kb_article", article.pk)


@seller_required(can=Cap.EDIT_KB)
@require_POST
def article_active(request: HttpRequest, pk: int) -> HttpResponse:
    """Deactivate or activate again."""
    active = request.POST.get("active") == "1"
    article = article_set_active(article=_article_or_404(request, pk), active=active,
                                 actor=actor_of(request))
    messages.success(request, (_("Article “%(slug)s” is active again.") if active else
                               _("Article “%(slug)s” is deactivated: customers and canned "
                                 "replies no longer show it.")) % {"slug": article.slug})
    return redirect("backoffice:kb_article", article.pk)
