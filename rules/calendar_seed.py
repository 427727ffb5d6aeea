"""Seed the working-day calendar from the chinesecalendar package (the official State Council
schedules for the years it knows). Years an administrator entered are never overwritten."""

from __future__ import annotations

from typing import Any

HOLIDAY_NAMES_ZH = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "抗战胜利纪念日",
}


def package_years() -> list[int]:
    from chinese_calendar import constants

    years = {day.year for day in constants.holidays} | {day.year for day in constants.workdays}
    return sorted(years)


def seed_from_package(calendar_year_model: Any, calendar_day_model: Any) -> list[int]:
    """Create the years the package knows and the calendar lacks; returns the years added.

    Takes the models as arguments so that a data migration can pass its historical models."""
    from chinese_calendar import constants

    known = set(calendar_year_model.objects.values_list("year", flat=True))
    added = [year for year in package_years() if year not in known]
    if not added:
        return []
    wanted = set(added)
    days = []
    for source, kind in ((constants.holidays, "holiday"), (constants.workdays, "workday")):
        for day, name in source.items():
            if day.year in wanted:
                days.append(
                    calendar_day_model(
                        date=day, year=day.year, kind=kind, name=HOLIDAY_NAMES_ZH.get(name, name)
                    )
                )
    calendar_day_model.objects.bulk_create(days, ignore_conflicts=True)
    calendar_year_model.objects.bulk_create(
        [calendar_year_model(year=year, source="package") for year in added]
    )
    return added
