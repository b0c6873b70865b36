"""The spreadsheet reader on tests/fixtures/csv (an Excel "CSV UTF-8" asset export with a byte-order mark, CRLF,
quoted commas and a cell over two lines, read through a mapping file; a `;`-separated sheet by header names) and on
bad input: every bad row named by line and column, nothing read unless `skip_bad_rows`."""

from __future__ import annotations

from pathlib import Path

import pytest

from graphsvc.discovery.documents import DiscoveryInputError
from graphsvc.discovery.spreadsheet import SheetMapping, read_csv
from graphsvc.domain.vocabulary import Kind
from tests.conftest import REPO

CSV = REPO / "tests" / "fixtures" / "csv"
RULES = SheetMapping.read(CSV / "mapping.toml")
ASSETS = (CSV / "assets.csv").read_bytes()
HEADER = "id,name,type,environment,owner,attributes.hostname\n"


def sheet(text: str, **kwargs: object) -> object:
    return read_csv("assets.csv", text.encode(), None, None, False, **kwargs)  # type: ignore[arg-type]


def refused(text: str, deps: str | None = None) -> str:
    with pytest.raises(DiscoveryInputError) as raised:
        read_csv("assets.csv", text.encode(), deps.encode() if deps else None, None, False)
    return str(raised.value)


def test_excel_export_through_a_mapping() -> None:
    assert ASSETS.startswith(b"\xef\xbb\xbf") and b"\r\n" in ASSETS
    seen = read_csv("exports/assets.csv", ASSETS, (CSV / "dependencies.csv").read_bytes(), RULES, False)
    assert seen.source == "csv:assets.csv"
    items = {i.id: i for i in seen.items}
    assert list(items) == [
        "csv:dc1-esx-01",
        "csv:dc1-bkp-01",
        "csv:dc2-jump-01",
        "csv:mgmt-ansible-01",
        "csv:dc1-fw-01",
    ]
    esx = items["csv:dc1-esx-01"]
    assert esx.kind is Kind.CONFIGURATION_ITEM and esx.identity == {"hostname": "dc1-esx-01", "serial": "SN-DL380-0042"}
    assert esx.fields["monthlyCost"] == "1240.00"  # "1,240.00"
    assert esx.fields["attributes"]["notes"] == "Rack A3, U12"  # a quoted comma
    assert items["csv:dc1-bkp-01"].fields["attributes"]["notes"] == 'backup target, "cold" tier'
    assert items["csv:mgmt-ansible-01"].fields["type"] == "VIRTUAL_MACHINE"  # [values.type]
    assert "\n" in items["csv:mgmt-ansible-01"].fields["attributes"]["notes"]  # a cell over two lines
    assert items["csv:dc2-jump-01"].fields["environment"] == "DR"
    assert "monthlyCost" not in items["csv:dc2-jump-01"].fields  # an empty cell is no value
    assert [(d.source, d.target, d.strength) for d in seen.dependencies] == [
        ("csv:mgmt-ansible-01", "csv:dc1-esx-01", "SOFT"),  # by hostname
        ("csv:dc1-bkp-01", "csv:dc1-fw-01", "HARD"),
        ("csv:dc2-jump-01", "CI-DC1-ESX-02", "SOFT"),  # an id not in the file: the CMDB's to check
    ]
    assert seen.skipped == [] and seen.unresolved == []


def test_header_names_services_and_a_delimiter() -> None:
    seen = read_csv("items.csv", (CSV / "items.csv").read_bytes(), None, None, False, delimiter=";")
    items = {i.id: i for i in seen.items}
    nas = items["CI-CSV-NAS-01"].fields
    assert nas["type"] == "STORAGE" and nas["environment"] == "PRODUCTION"  # compared without case
    assert nas["criticality"] == 3 and nas["rtoMinutes"] == 240 and nas["utilization"] == 61.5
    assert nas["attributes"] == {"hostname": "nas-01.office", "rack": "R2"}  # `rack`: any other column
    printing = items["SVC-CSV-PRINTING"]
    assert printing.kind is Kind.SERVICE and dict(printing.fields) == {
        "name": "Printing",
        "criticality": 4,
        "owner": "TEAM-SERVICE-DESK",
        "tier": "TECHNICAL",
    }


def test_every_bad_row_is_named_and_nothing_is_read() -> None:
    text = (
        HEADER
        + "CI-1,One,SERVER,PRODUCTION,TEAM-A,one\n"
        + "CI-2,Two,Blade,PRODUCTION,TEAM-A,two\n"
        + "CI-3,,SERVER,PRODUCTION,TEAM-A,three\n"
        + "CI-1,Again,SERVER,PRODUCTION,TEAM-A,four\n"
        + "CI-5,Five,SERVER,MARS,TEAM-A,five\n"
        + "bad id!,Six,SERVER,PRODUCTION,TEAM-A,six\n"
        + "CI-7,Seven,SERVER,PRODUCTION,TEAM-A,ONE\n"
        + "CI-8,Eight,SERVER,PRODUCTION,TEAM-A,eight,extra\n"
    )
    said = refused(text)
    assert "assets.csv: 7 bad row(s), nothing read" in said
    assert "assets.csv line 3, column type: 'Blade' is not one of APPLICATION, DATABASE, SERVER" in said
    assert "assets.csv line 4, column name:" in said
    assert "assets.csv line 5, column id: duplicate id 'CI-1' (also line 2)" in said
    assert "assets.csv line 6, column environment: 'MARS' is not one of PRODUCTION" in said
    assert "assets.csv line 7, column id:" in said
    assert "assets.csv line 8, column attributes.hostname: hostname 'ONE' is also line 2's" in said
    assert "assets.csv line 9: 7 cells, but the header has 6 columns" in said
    assert "line 2, column name:" in refused(HEADER + "A,a\x00b,SERVER,PRODUCTION,T,h\n")  # a NUL in a name

    seen = read_csv("assets.csv", text.encode(), None, None, True)
    assert [i.id for i in seen.items] == ["CI-1"]
    assert [s.where for s in seen.skipped][:2] == ["assets.csv line 3, column type", "assets.csv line 4, column name"]


def test_numbers_and_money() -> None:
    head = "id,name,type,criticality,rtoMinutes,utilization,monthlyCost\n"
    said = refused(head + "A,a,SERVER,high,,,\nB,b,SERVER,2,1.5,,\nC,c,SERVER,,,nan,\nD,d,SERVER,,,,12.345678\n")
    assert "line 2, column criticality: 'high' is not a whole number" in said
    assert "line 3, column rtoMinutes: '1.5' is not a whole number" in said
    assert "line 4, column utilization: 'nan' is not a finite number" in said
    assert "line 5, column monthlyCost:" in said and "money" in said
    assert "line 2, column criticality" in refused(head + "A,a,SERVER,9,,,\n")  # 1 to 4


def test_ids_from_hostname_or_serial() -> None:
    seen = sheet("name,type,attributes.hostname,attributes.serial\na,SERVER,Web-01.Example,\nb,SERVER,,SN-9\n")
    assert [i.id for i in seen.items] == ["csv:web-01.example", "csv:SN-9"]  # type: ignore[attr-defined]
    said = refused("name,type,attributes.hostname\na,SERVER,\n")
    assert "line 2, column attributes.hostname: no id, and no hostname or serial to make one of" in said


def test_secret_columns_are_not_read_and_uris_lose_credentials() -> None:
    seen = sheet(HEADER.strip() + ",admin password,console\nA,a,SERVER,PRODUCTION,T,h,hunter2,https://root:pw@ilo-a/\n")
    (item,) = seen.items  # type: ignore[attr-defined]
    assert "admin password" not in item.fields["attributes"]
    assert "pw" not in item.fields["attributes"]["console"] and "ilo-a" in item.fields["attributes"]["console"]
    assert "named like a secret" in seen.skipped[0].reason  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("data", "said"),
    [
        (b"", "assets.csv: the file is empty"),
        (b"\r\n  \r\n", "assets.csv: the file is empty"),
        (HEADER.encode(), "a header but no rows"),
        (b"name,owner\nx,y\n", "lacks the column(s) id (or attributes.hostname or attributes.serial), type"),
        (b"id,name,Name,type\n", "columns 2 and 3 are both 'Name'"),
        ("id,name,type\nA,Café,SERVER\n".encode("latin-1"), "not UTF-8 text (byte 18 is 0xe9); save it as 'CSV UTF-8'"),
        ("id,name,type\n".encode("utf-16"), "UTF-16 text"),
        (b'id,name,type\nA,"unclosed,SERVER\n' + b"x" * 200_000, "assets.csv line"),
    ],
)
def test_unreadable_files(data: bytes, said: str) -> None:
    with pytest.raises(DiscoveryInputError) as raised:
        read_csv("assets.csv", data, None, None, True)
    assert said in str(raised.value)


def test_dependency_rows() -> None:
    items = HEADER + "A,a,SERVER,PRODUCTION,T,host-a\nB,b,SERVER,PRODUCTION,T,host-b\nC,c,Blade,PRODUCTION,T,host-c\n"
    deps = "From,To,Strength\nhost-a,B,\nA,A,\nA,B,maybe\nA,nowhere,\nA,host-c,\nA,,\n"
    said = refused(items, deps)
    assert "dependencies.csv line 3, column to: 'A' cannot depend on itself" in said
    assert "dependencies.csv line 4, column Strength: 'maybe' is not one of HARD, SOFT" in said
    assert "dependencies.csv line 6, column to: 'host-c' is the row on line 4 of the items file" in said
    assert "dependencies.csv line 7, column to: empty" in said
    seen = read_csv("a.csv", items.encode(), deps.encode(), None, True, known_ids={"X"})
    assert [(d.source, d.target) for d in seen.dependencies] == [("A", "B")]
    assert "dependencies.csv line 5, column to" in [s.where for s in seen.skipped]  # 'nowhere': no such id
    with pytest.raises(DiscoveryInputError, match="lacks the column"):
        read_csv("a.csv", items.encode(), b"source,target\nA,B\n", None, True)


def test_mapping_file_errors(tmp_path: Path) -> None:
    path = tmp_path / "map.toml"
    for text, said in [
        ('[column]\n"A" = "name"\n', "unknown table"),
        ('[columns]\n"A" = "nmae"\n', "names no field"),
        ('[defaults]\nid = "X"\n', "no field a default may set"),
        ("[values.type]\nPhysical = []\n", "must be a string"),
        ("not toml", "cannot read"),
    ]:
        path.write_text(text, encoding="utf-8")
        with pytest.raises(DiscoveryInputError, match=said):
            SheetMapping.read(path)


def test_defaults_do_not_reach_services() -> None:
    rules = SheetMapping.parse("m", {"defaults": {"type": "SERVER", "environment": "TEST"}})
    text = "id,name,kind,tier,criticality\nS,Svc,SERVICE,BUSINESS,2\nC,Box,,,\n"
    seen = read_csv("a.csv", text.encode(), None, rules, False)
    assert {i.id: dict(i.fields) for i in seen.items} == {
        "S": {"name": "Svc", "tier": "BUSINESS", "criticality": 2},
        "C": {"name": "Box", "type": "SERVER", "environment": "TEST"},
    }
