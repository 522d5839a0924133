"""REFI-QDA codebooks (.qdc): export valid against the XSD, round trip, real files, refusals."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
import yaml

from workbench.errors import ImportProblems, WorkbenchError
from workbench.io.codebook_yaml import load_codebook
from workbench.io.refi import stable_guid
from workbench.io.refi_codebook import codebook_qdc
from workbench.review.refi_exchange import import_qdc

etree = pytest.importorskip("lxml.etree")

REPO = Path(__file__).resolve().parents[2]
REFI = REPO / "tests" / "data" / "refi"


def schema(name: str):
    return etree.XMLSchema(etree.parse(str(REFI / name)))


def example():
    return load_codebook(REPO / "codebook.yaml")


def import_to(tmp_path: Path, qdc: Path | bytes, name: str = "in.qdc"):
    if isinstance(qdc, bytes):
        path = tmp_path / name
        path.write_bytes(qdc)
        qdc = path
    result = import_qdc(qdc, tmp_path)
    return result, load_codebook(result.path)


def test_export_is_valid_against_the_published_codebook_schema():
    data = codebook_qdc(example())
    xsd = schema("Codebook.xsd")
    assert xsd.validate(etree.fromstring(data)), xsd.error_log
    root = etree.fromstring(data)
    ns = {"q": "urn:QDA-XML:codebook:1.0"}
    dims = root.findall("q:Codes/q:Code", ns)
    assert [d.get("isCodable") for d in dims] == ["false"] * 5
    gender = root.find(".//q:Code[@name='Gender rights']", ns)
    assert gender.get("isCodable") == "true"
    assert [c.get("name") for c in gender.findall("q:Code", ns)] == [
        "Workplace harassment", "Harassment in public spaces"]
    assert gender.get("guid") == str(uuid.uuid5(uuid.uuid5(
        uuid.NAMESPACE_URL, "https://workbench.invalid/refi-qda"), "code:gender_rights"))
    whatsapp = root.find(".//q:Code[@name='WhatsApp']/q:Description", ns).text
    assert "Messaging groups" in whatsapp and "- #HarassmentFreeStreets" in whatsapp
    assert whatsapp.endswith("workbench id: whatsapp")


def test_export_is_stable_and_a_broken_schema_copy_would_be_noticed():
    assert codebook_qdc(example()) == codebook_qdc(example())
    broken = codebook_qdc(example()).replace(b'isCodable="false"', b'isCodable="no"', 1)
    assert not schema("Codebook.xsd").validate(etree.fromstring(broken))


def test_round_trip_keeps_ids_labels_definitions_examples_and_guids(tmp_path):
    before = example()
    result, after = import_to(tmp_path, codebook_qdc(before))
    assert result.path == tmp_path / "codebook.yaml"
    assert after.dimensions == before.dimensions
    assert codebook_qdc(after) == codebook_qdc(before)
    text = result.path.read_text()
    assert "guid:" not in text.split("dimensions:", 1)[1]   # our own GUIDs are derived


def test_a_foreign_guid_and_colour_survive_a_round_trip(tmp_path):
    result, first = import_to(tmp_path, REFI / "atlasti_23.4.0.qdc")
    code = first.dimensions[0].codes[0]
    assert (code.label, code.description) == ("code1", "description")
    assert code.guid == "1FF58B12-6F6F-4B0C-8BE5-BBDC91F55294"
    assert code.color == "#46AA00"
    assert any("code group 1" in n for n in result.notes)
    again = etree.fromstring(codebook_qdc(first))
    exported = again.find(".//{urn:QDA-XML:codebook:1.0}Code[@name='code1']")
    assert exported.get("guid") == "1FF58B12-6F6F-4B0C-8BE5-BBDC91F55294"
    assert exported.get("color") == "#46AA00"
    assert schema("Codebook.xsd").validate(again)
    second = tmp_path / "second"
    second.mkdir()
    (second / "x.qdc").write_bytes(codebook_qdc(first))
    _, back = import_to(second, second / "x.qdc")
    assert back.dimensions == first.dimensions


def test_taguette_file_with_empty_sets_is_accepted_though_the_schema_refuses_it(tmp_path):
    path = REFI / "taguette_1.4.1.qdc"
    assert not schema("Codebook.xsd").validate(etree.parse(str(path)))   # empty <Sets/>
    result, codebook = import_to(tmp_path, path)
    assert result.origin == "Taguette 1.4.1"
    [dim] = codebook.dimensions
    assert [c.label for c in dim.codes] == ["xsd:element name", "CodeBook", "Variables"]
    assert [c.id for c in dim.codes] == ["xsd_element_name", "codebook", "variables"]
    assert dim.codes[0].guid == "098AC082-A9C7-50F4-9728-48730081A95E"


def test_taguette_dotted_names_become_dimensions(tmp_path):
    ns = uuid.UUID("51B2B2B7-27EB-4ECB-9D56-E75B0A0496C2")
    codes = "".join(
        f'<Code guid="{str(uuid.uuid5(ns, n)).upper()}" name="{n}" isCodable="true"/>'
        for n in ("barrier.censorship", "barrier.access", "platform.twitter", "interesting"))
    data = ('<?xml version="1.0" encoding="utf-8"?>\n<CodeBook xmlns="urn:QDA-XML:codebook:1.0"'
            f' origin="Taguette 1.4.1"><Codes>{codes}</Codes><Sets/></CodeBook>').encode()
    _, codebook = import_to(tmp_path, data)
    got = {d.id: [c.label for c in d.codes] for d in codebook.dimensions}
    assert got == {"barrier": ["censorship", "access"], "platform": ["twitter"],
                   "codes": ["interesting"]}


def test_qualcoder_form_with_bom_and_nested_categories(tmp_path):
    assert (REFI / "qualcoder_form.qdc").read_bytes().startswith(b"\xef\xbb\xbf")
    result, codebook = import_to(tmp_path, REFI / "qualcoder_form.qdc")
    barriers, platforms = codebook.dimensions
    assert barriers.label == "Barriers" and barriers.guid.endswith("1a01")
    assert barriers.description.startswith("What stopped")
    assert [c.label for c in barriers.all_codes()] == ["Censorship", "Access", "Rural access"]
    assert barriers.codes[1].children[0].color == "#FF9800"
    assert any("'Access'" in n and "not codable" in n for n in result.notes)
    assert platforms.codes[0].id == "twitter"


def test_atlas_draft_namespace_is_read(tmp_path):
    data = (REFI / "atlasti_23.4.0.qdc").read_bytes().replace(
        b'xmlns="urn:QDA-XML:codebook:1.0"', b'xmlns="urn:QDA-XML:codebook:0:4"')
    _, codebook = import_to(tmp_path, data)
    assert codebook.dimensions[0].codes[0].label == "code1"


BAD = """<?xml version="1.0" encoding="utf-8"?>
<CodeBook xmlns="urn:QDA-XML:codebook:1.0">
  <Codes>
    <Code name="no guid" isCodable="true"/>
    <Code guid="6d4e1d8e-2b55-4d0e-9a47-3c1f0e5f1a01" isCodable="true"/>
    <Code guid="6d4e1d8e-2b55-4d0e-9a47-3c1f0e5f1a02" name="no codable"/>
    <Code guid="not-a-guid" name="bad guid" isCodable="true"/>
    <Code guid="6d4e1d8e-2b55-4d0e-9a47-3c1f0e5f1a03" name="bad colour" color="red"
 isCodable="true"/>
    <Code guid="6D4E1D8E-2B55-4D0E-9A47-3C1F0E5F1A03" name="twin" isCodable="maybe"/>
  </Codes>
</CodeBook>
"""


def test_broken_codes_are_all_refused_with_file_line_and_element(tmp_path):
    path = tmp_path / "broken.qdc"
    path.write_text(BAD)
    with pytest.raises(ImportProblems) as info:
        import_qdc(path, tmp_path)
    lines = [str(p) for p in info.value.problems]
    assert lines[0] == f"{path}:4: <Code name='no guid'>: missing attribute 'guid'"
    assert f"{path}:5: <Code>: missing attribute 'name'" in lines
    assert f"{path}:6: <Code name='no codable'>: missing attribute 'isCodable'" in lines
    assert f"{path}:7: <Code name='bad guid'>: guid 'not-a-guid' is not a GUID" in lines
    # libxml2 gives a start tag spread over two lines the line it ends on
    assert any(":9: <Code name='bad colour'>: color 'red'" in x for x in lines)
    assert any(":10: <Code name='twin'>: duplicate GUID" in x and "line 9" in x for x in lines)
    assert any(":10: <Code name='twin'>: isCodable 'maybe'" in x for x in lines)
    assert not (tmp_path / "codebook.yaml").exists()


@pytest.mark.parametrize("text, message", [
    ('<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>\n'
     '<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes><Code guid="6d4e1d8e-2b55-4d0e-9a47-'
     '3c1f0e5f1a01" name="&e;" isCodable="true"/></Codes></CodeBook>', "DOCTYPE"),
    ('<?xml version="1.0"?>\n<!DOCTYPE l [<!ENTITY a "aaaaaaaaaa">'
     + "".join(f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">' for i in range(8))
     + ']>\n<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes><Code guid="6d4e1d8e-2b55-4d0e-'
     '9a47-3c1f0e5f1a01" name="&i;" isCodable="true"/></Codes></CodeBook>', "DOCTYPE"),
    ('<Project xmlns="urn:QDA-XML:project:1.0" name="p"/>', "not <CodeBook>"),
    ('<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes>', "not well-formed"),
    ('<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes/></CodeBook>', "has no codes"),
])
def test_hostile_or_wrong_files_are_refused_and_nothing_is_written(tmp_path, text, message):
    path = tmp_path / "x.qdc"
    path.write_text(text)
    with pytest.raises(ImportProblems) as info:
        import_qdc(path, tmp_path)
    assert message in str(info.value) and str(path) in str(info.value)
    assert "root:" not in str(info.value)
    assert list(tmp_path.iterdir()) == [path]


def test_import_never_overwrites_without_force(tmp_path):
    review = tmp_path / "review"
    review.mkdir()
    (review / "codebook.yaml").write_text((REPO / "codebook.yaml").read_text())
    original = (review / "codebook.yaml").read_bytes()
    result = import_qdc(REFI / "atlasti_23.4.0.qdc", review)
    assert result.path == review / "codebook.imported.yaml"
    assert (review / "codebook.yaml").read_bytes() == original
    draft = load_codebook(result.path)
    kept = load_codebook(review / "codebook.yaml")
    assert draft.stages == kept.stages and draft.fields == kept.fields
    assert draft.groups == kept.groups and draft.criteria == kept.criteria
    assert [c.label for d in draft.dimensions for c in d.codes] == ["code1"]
    with pytest.raises(WorkbenchError, match="exists"):
        import_qdc(REFI / "taguette_1.4.1.qdc", review)
    assert load_codebook(result.path).dimensions == draft.dimensions
    forced = import_qdc(REFI / "taguette_1.4.1.qdc", review, force=True)
    assert len(load_codebook(forced.path).dimensions[0].codes) == 3
    with pytest.raises(WorkbenchError, match="exists"):
        import_qdc(REFI / "taguette_1.4.1.qdc", review, out=review / "codebook.yaml")
    assert (review / "codebook.yaml").read_bytes() == original


def test_codebook_yaml_guid_and_colour_are_checked(tmp_path):
    text = (REPO / "codebook.yaml").read_text().replace(
        "      - id: twitter\n", "      - id: twitter\n        guid: nope\n        color: blue\n")
    path = tmp_path / "codebook.yaml"
    path.write_text(text)
    with pytest.raises(WorkbenchError) as info:
        load_codebook(path)
    assert "'guid' 'nope' is not a GUID" in str(info.value)
    assert "'color' 'blue' is not a colour" in str(info.value)


def test_stable_guid_depends_on_kind_and_id():
    assert stable_guid("code", "a") == stable_guid("code", "a")
    assert len({stable_guid("code", "a"), stable_guid("dimension", "a"),
                stable_guid("code", "b")}) == 3
    assert yaml.safe_load("g: " + stable_guid("code", "a"))["g"] == stable_guid("code", "a")


@given(st.text(max_size=12), st.text(max_size=40))
def test_stable_guid_is_uuid5_of_kind_and_id(kind, ident):
    """The spelled-out uuid5 gives exactly uuid.uuid5's text (the GUIDs of past exports)."""
    from workbench.io.refi import WORKBENCH_NS
    try:
        expected = str(uuid.uuid5(WORKBENCH_NS, f"{kind}:{ident}"))
    except UnicodeEncodeError:   # a lone surrogate: both refuse it
        with pytest.raises(UnicodeEncodeError):
            stable_guid(kind, ident)
        return
    assert stable_guid(kind, ident) == expected
    assert uuid.UUID(expected).version == 5
