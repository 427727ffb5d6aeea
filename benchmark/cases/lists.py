"""List pages (petitions, appeals, visits, households), first page and a page deep in the list,
each beside a bare keyset view rendering the same 50 rows in the same base template (goal: at
least 0.8 of its throughput)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from benchmark import bare
from benchmark.runner import Case, Context, register

DEEP_PAGE = 200
PAGE = 50


def _lists() -> dict[str, tuple[str, str, bare.BareList]]:
    """name → (url, user key, bare list over the same rows)."""
    from directory.models import Household
    from petitions.models import Appeal, Petition
    from visits.models import Visit

    return {
        "petitions": (
            "/petitions/",
            "office",
            bare.BareList(
                lambda: Petition.objects.select_related("lead_unit"),
                "-received_on",
                [("ref", lambda r: r.ref), ("received", lambda r: r.received_on),
                 ("summary", lambda r: r.summary), ("unit", lambda r: r.lead_unit),
                 ("status", lambda r: r.get_status_display())],
            ),
        ),
        "appeals": (
            "/petitions/appeals/",
            "office",
            bare.BareList(
                lambda: Appeal.objects.select_related("unit", "category"),
                "-received_at",
                [("ref", lambda r: r.ref), ("received", lambda r: r.received_at),
                 ("category", lambda r: r.category), ("unit", lambda r: r.unit),
                 ("due", lambda r: r.due), ("status", lambda r: r.get_status_display())],
            ),
        ),
        "visits": (
            "/visits/",
            "admin",
            bare.BareList(
                lambda: Visit.objects.select_related("unit"),
                "-date",
                [("date", lambda r: r.date), ("kind", lambda r: r.get_kind_display()),
                 ("unit", lambda r: r.unit), ("days", lambda r: r.days)],
            ),
        ),
        "households": (
            "/households/",
            "admin",
            bare.BareList(
                lambda: Household.objects.select_related("village", "group"),
                "code",
                [("code", lambda r: r.code), ("head", lambda r: r.head),
                 ("village", lambda r: r.village), ("group", lambda r: r.group),
                 ("categories", lambda r: r.categories)],
            ),
        ),
    }  # fmt: skip


def _deep(ctx: Context, name: str, spec: bare.BareList) -> int:
    """The page number to time deep in the list (DEEP_PAGE, or the middle of a short list)."""
    key = f"deep page of {name}"
    if key not in ctx.data:
        total = spec.queryset().count()
        ctx.data[key] = max(2, min(DEEP_PAGE, total // PAGE // 2))
    return ctx.data[key]


def _product_url(ctx: Context, name: str, url: str, spec: bare.BareList, deep: bool) -> str:
    if not deep:
        return url
    from directory.paging import deep_link

    number = _deep(ctx, name, spec)
    key = f"product url {name} {number}"
    if key not in ctx.data:
        ctx.data[key] = url + deep_link(ctx.data[f"product queryset {name}"](ctx), number, PAGE)
    return ctx.data[key]


def _bare_url(ctx: Context, name: str, spec: bare.BareList, deep: bool) -> str:
    url = f"/_bench/bare/{name}/"
    if not deep:
        return url
    number = _deep(ctx, name, spec)
    key = f"bare url {name} {number}"
    if key not in ctx.data:
        ordered = bare.keyset(spec.queryset(), spec.order, None)
        last = ordered.values_list("pk", flat=True)[(number - 1) * PAGE - 1]
        ctx.data[key] = f"{url}?after={last}"
    return ctx.data[key]


def _product_querysets() -> dict[str, Callable[[Context], Any]]:
    """The queryset each list page pages through, as its view builds it (for the deep link)."""

    def user(ctx: Context, key: str) -> Any:
        from directory.models import User

        return User.objects.get(username=ctx.data["county"].users[key])

    def petitions(ctx: Context) -> Any:
        from petitions.matters.selectors import petition_search

        return petition_search(user(ctx, "office"), {}, ctx.data["county"].day)

    def appeals(ctx: Context) -> Any:
        from petitions.appeals.selectors import appeal_search

        return appeal_search(user(ctx, "office"), {}, ctx.data["county"].day)

    def visits(ctx: Context) -> Any:
        from visits.access import visits_for_user

        return visits_for_user(user(ctx, "admin")).order_by("-date", "-pk")

    def households(ctx: Context) -> Any:
        from directory.access import households_for_user

        return households_for_user(user(ctx, "admin"))

    return {"petitions": petitions, "appeals": appeals, "visits": visits, "households": households}


def _register() -> None:
    querysets = _product_querysets()
    for name, (url, user_key, spec) in _lists().items():
        bare.LISTS[name] = spec
        for deep in (False, True):

            def setup(ctx: Context, name: str = name) -> None:
                ctx.data[f"product queryset {name}"] = querysets[name]

            def run(
                ctx: Context, name=name, url=url, user_key=user_key, spec=spec, deep=deep
            ) -> int:  # noqa: E501
                target = _product_url(ctx, name, url, spec, deep)
                return ctx.get(target, ctx.data["county"].users[user_key])

            def baseline(ctx: Context, name=name, user_key=user_key, spec=spec, deep=deep) -> int:
                return ctx.get(_bare_url(ctx, name, spec, deep), ctx.data["county"].users[user_key])

            where = f"page {DEEP_PAGE} (or the middle)" if deep else "first page"
            register(
                Case(
                    f"{name} list, {where}",
                    run=run,
                    setup=setup,
                    baseline=baseline,
                    min_ratio=0.8,
                    repeat=5,
                    rows=lambda ctx, spec=spec: spec.queryset().count(),
                    group="lists",
                )
            )


_register()
