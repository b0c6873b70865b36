"""The reports' default periods: the CAB agenda's next seven days and the SLA report's last full month."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from graphsvc.errors import InvalidArgument
from graphsvc.usecases.reports import agenda_period, last_full_month, sla_period

NOW = datetime(2026, 12, 3, 21, 15, tzinfo=UTC)


def test_the_agenda_defaults_to_the_next_seven_days_from_midnight() -> None:
    assert agenda_period(None, None, NOW) == (datetime(2026, 12, 3, tzinfo=UTC), datetime(2026, 12, 10, tzinfo=UTC))
    start = datetime(2026, 11, 20, tzinfo=UTC)
    assert agenda_period(start, None, NOW) == (start, start + timedelta(days=7))
    assert agenda_period(None, start, NOW) == (start - timedelta(days=7), start)


def test_the_sla_report_defaults_to_the_last_full_month() -> None:
    assert last_full_month(NOW) == (datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 12, 1, tzinfo=UTC))
    assert last_full_month(datetime(2027, 1, 1, 0, 0, tzinfo=UTC))[0] == datetime(2026, 12, 1, tzinfo=UTC)
    # a time in another offset is read in UTC: 00:30 on 1 March in Berlin is still February in UTC
    berlin = datetime(2027, 3, 1, 0, 30, tzinfo=timezone(timedelta(hours=1)))
    assert last_full_month(berlin) == (datetime(2027, 1, 1, tzinfo=UTC), datetime(2027, 2, 1, tzinfo=UTC))
    with pytest.raises(InvalidArgument, match="to is required with the other end"):
        sla_period(NOW, None, NOW)


@given(st.datetimes(min_value=datetime(2000, 1, 2), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)))
def test_last_full_month_is_a_whole_month_just_before_now(now: datetime) -> None:
    start, end = last_full_month(now)
    assert start.day == end.day == 1 and start < end <= now and (end - start).days in (28, 29, 30, 31)
    assert (start.hour, start.minute, end.hour, end.minute) == (0, 0, 0, 0)
