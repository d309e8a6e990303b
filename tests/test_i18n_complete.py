"""Both languages all the way: every message of the catalogue (messages.toml), every interface string, every
enumeration value of the schemas and the catalogue, every rule topic and record state has its Chinese and its
English; every error is raised by its message key; an English page shows no enumeration value in Chinese
(the search filters included), a Chinese page no validation message in English; and an unknown filter of an
entity's records is a 422 naming the values it may take."""

from __future__ import annotations

import ast
import csv
import re
import string
import typing
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pydantic_core.core_schema import ErrorType
from tests.test_query import CODE, loaded  # noqa: F401  (the fixture)
from tests.test_twins import Element, _Tree

import xinyong
from xinyong import errors
from xinyong.asgi import create_app
from xinyong.http.errors import FrameworkRefusal
from xinyong.ingest.schema import english_values, id_types, record_labels
from xinyong.model.records import RecordState, categories, list_types, registration_statuses_en
from xinyong.model.records import registration_statuses as status_forms
from xinyong.reference import (
    decode_region,
    division_names_en,
    divisions,
    industries,
    uscc_authorities,
)
from xinyong.rules import TOPICS
from xinyong.web.i18n import STRINGS, reasons

CJK = re.compile(r"[\u3400-\u9fff]")
SOURCE = Path(xinyong.__file__).parent


def parse(text: str) -> Element:
    tree = _Tree()
    tree.feed(text)
    return tree.root


def fields_of(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def said_in_both(entry: dict[str, str], where: str) -> None:
    assert entry.get("zh") and entry.get("en"), where
    assert CJK.search(entry["zh"]), where  # Chinese in Chinese …
    assert not CJK.search(entry["en"]), where  # … and English without it
    assert fields_of(entry["zh"]) == fields_of(entry["en"]), where  # the same parameters in both


def test_every_message_of_the_catalogue_in_both_languages():
    catalogue = errors.messages()
    for section in ("classes", "messages", "validation", "validation_place"):
        for key, entry in catalogue[section].items():
            said_in_both(entry, f"{section}.{key}")
    said_in_both(catalogue["validation_other"], "validation_other")
    for table, words in catalogue["terms"].items():
        for code, entry in words.items():
            said_in_both(entry, f"terms.{table}.{code}")
    for key, entry in catalogue["messages"].items():
        for name, table in entry.get("terms", {}).items():
            assert name in fields_of(entry["en"]) and table in catalogue["terms"], key


def test_every_error_class_says_something_in_chinese():
    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    found = {errors.XinyongError, *subclasses(errors.XinyongError)}
    assert FrameworkRefusal in found
    for cls in found:
        assert cls.code in errors.messages()["classes"], cls


def test_every_message_key_the_code_raises_is_in_the_catalogue_and_every_one_is_raised():
    code = "\n".join(p.read_text("utf-8") for p in SOURCE.rglob("*.py"))
    raised = set(re.findall(r'\bkey="([a-z_]+\.[a-z_.]+)"', code))
    catalogue = errors.messages()["messages"]
    assert raised and raised <= set(catalogue)
    for key in catalogue:
        assert f'"{key}"' in code, f"{key} is never raised"


def test_every_message_is_said_with_the_parameters_it_is_raised_with():
    """Each message renders in both languages (a number for every parameter), and every raise that names
    its key and gives its parameters as a literal gives each one its texts use."""
    catalogue = errors.messages()["messages"]
    for key, entry in catalogue.items():
        for lang in errors.LANGUAGES:
            assert errors.Message(key, dict.fromkeys(fields_of(entry[lang]), 1)).text(lang), key
    checked = 0
    for path in SOURCE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            given = {k.arg: k.value for k in node.keywords} if isinstance(node, ast.Call) else {}
            key, params = given.get("key"), given.get("params")
            literal = isinstance(params, ast.Dict | None) and set(given) <= {
                "key",
                "params",
                "errors",
                "problems",
            }
            if isinstance(key, ast.Constant) and key.value in catalogue and literal:
                names = {k.value for k in params.keys if isinstance(k, ast.Constant)} if params else set()
                if params is None or None not in params.keys:  # no **spread: every name is written out
                    entry = catalogue[key.value]
                    assert fields_of(entry["en"]) | fields_of(entry["zh"]) <= names, (path.name, node.lineno)
                    checked += 1
    assert checked > 200


def test_validation_messages_name_real_pydantic_error_types():
    assert set(errors.messages()["validation"]) <= set(typing.get_args(ErrorType))


def test_every_interface_string_and_reason_in_both_languages():
    for key, entry in STRINGS.items():
        assert entry["zh"] and entry["en"], key
        assert fields_of(entry["zh"]) == fields_of(entry["en"]), key
        if key != "switch":  # the switch names the other language: 中文 on English pages
            assert entry["zh"] != entry["en"] and CJK.search(entry["zh"]), key
    for code, words in reasons().items():
        assert words["zh"] and words["en"] and words["zh"] != words["en"], code


def test_every_rule_topic_and_record_state_in_both_languages():
    for topic in TOPICS:
        said_in_both(STRINGS[f"topic.{topic}"], topic)
    for state in RecordState:
        assert STRINGS[f"state.{state}"]["zh"] != STRINGS[f"state.{state}"]["en"], state


def test_every_field_label_and_enumeration_value_of_the_schemas_in_english():
    for kind, labels in record_labels().items():
        assert labels.title_en and not CJK.search(labels.title_en), kind
        for spec in labels.fields:
            assert spec.name_en and not CJK.search(spec.name_en), (kind, spec.key)
            if spec.type in ("enum", "multi_enum") and not spec.synonyms:
                for value in spec.values:
                    if spec.key != "list_type":  # the list types' English is the catalogue's
                        assert value in english_values(), (kind, spec.key, value)
    for value in id_types().values:
        assert value in english_values(), value
    assert all(value and not CJK.search(value) for value in english_values().values())


def test_every_enumeration_value_of_the_catalogue_in_english():
    assert set(registration_statuses_en()) == set(status_forms().values())
    for words in (
        registration_statuses_en().values(),
        [c.name_en for c in categories().values()],
        [t.name_en for t in list_types().values()],
    ):
        assert all(w and not CJK.search(w) for w in words)
    for authority in uscc_authorities().values():
        assert set(authority.categories_en) == set(authority.categories), authority.code
        assert not CJK.search(authority.name_en + "".join(authority.categories_en.values()))


def english_table(name: str) -> list[dict[str, str]]:
    with (SOURCE / "reference" / "data" / name).open(encoding="utf-8") as f:
        return list(csv.DictReader(line for line in f if not line.startswith("#")))


def test_every_reference_entry_has_an_english_name():
    """Every division and every industry of the reference tables has an English name without a Chinese
    character, and so has every region a code decodes to; the English tables were written from the tables as
    they are (a table changed without them fails here)."""
    english = division_names_en()
    assert set(english) == set(divisions())
    assert all(english[code] and not CJK.search(english[code]) for code in divisions())
    assert {row["code"]: row["name"] for row in english_table("divisions-en.csv")} == divisions()
    for code in [*divisions(), "100000", "330201", "330299", "339900", "999999", "X30000"]:
        region = decode_region(code)
        assert region.name_en and not CJK.search(region.name_en), (code, region)
    titles = {row["code"]: row for row in english_table("industries-gbt4754-2017-en.csv")}
    assert set(titles) == {code for code, i in industries().items() if i.level <= 2}
    assert len(titles) == 20 + 97
    for code, industry in industries().items():
        assert industry.name_en and not CJK.search(industry.name_en), code
        if code in titles:
            assert (
                titles[code]["name"] == industry.name.strip() and titles[code]["name_en"] == industry.name_en
            )
        else:
            assert industry.name_en == f"{titles[code[:2]]['name_en']} (division {code[:2]})", code


# Names checked by hand: GB/T 16159 pinyin (syllables joined, an apostrophe before a, o or e), polyphonic
# characters read as the place reads them, ethnic groups and suffixes in English, names romanized from the
# area's own language.
DIVISIONS_IN_ENGLISH = {
    "330000": "Zhejiang Province",
    "450000": "Guangxi Zhuang Autonomous Region",
    "110000": "Beijing Municipality",
    "610000": "Shaanxi Province",
    "140000": "Shanxi Province",
    "330203": "Haishu District, Ningbo City, Zhejiang Province",
    "500000": "Chongqing Municipality",
    "430100": "Changsha City, Hunan Province",
    "350200": "Xiamen City, Fujian Province",
    "341500": "Lu'an City, Anhui Province",
    "340300": "Bengbu City, Anhui Province",
    "440113": "Panyu District, Guangzhou City, Guangdong Province",
    "330382": "Yueqing City, Wenzhou City, Zhejiang Province",
    "331100": "Lishui City, Zhejiang Province",
    "331000": "Taizhou City, Zhejiang Province",
    "441900": "Dongguan City, Guangdong Province",
    "371522": "Shenxian County, Liaocheng City, Shandong Province",
    "610100": "Xi'an City, Shaanxi Province",
    "140400": "Changzhi City, Shanxi Province",
    "140428": "Zhangzi County, Changzhi City, Shanxi Province",
    "411100": "Luohe City, Henan Province",
    "130726": "Yuxian County, Zhangjiakou City, Hebei Province",
    "371722": "Shanxian County, Heze City, Shandong Province",
    "361124": "Yanshan County, Shangrao City, Jiangxi Province",
    "341621": "Guoyang County, Bozhou City, Anhui Province",
    "130225": "Laoting County, Tangshan City, Hebei Province",
    "371500": "Liaocheng City, Shandong Province",
    "522600": "Qiandongnan Miao and Dong Autonomous Prefecture, Guizhou Province",
    "530925": "Shuangjiang Lahu, Va, Blang and Dai Autonomous County, Lincang City, Yunnan Province",
    "622926": "Dongxiang Autonomous County, Linxia Hui Autonomous Prefecture, Gansu Province",
    "150521": "Horqin Left Wing Middle Banner, Tongliao City, Inner Mongolia Autonomous Region",
    "152500": "Xilingol League, Inner Mongolia Autonomous Region",
    "150100": "Hohhot City, Inner Mongolia Autonomous Region",
    "650100": "Urumqi City, Xinjiang Uygur Autonomous Region",
    "540100": "Lhasa City, Xizang Autonomous Region",
    "232700": "Da Hinggan Ling Prefecture, Heilongjiang Province",
    "429021": "Shennongjia Forestry District, Hubei Province",
    "520203": "Liuzhi Special District, Liupanshui City, Guizhou Province",
    "310115": "Pudong New Area, Shanghai Municipality",
    "340177": "Hefei Economic and Technological Development Zone, Hefei City, Anhui Province",
    "500229": "Chengkou County, Chongqing Municipality",
    "330201": "City districts, Ningbo City, Zhejiang Province",
    "330299": "Historical or unknown division in Ningbo City, Zhejiang Province",
}


@pytest.mark.parametrize(("code", "english"), DIVISIONS_IN_ENGLISH.items())
def test_divisions_in_english(code, english):
    assert decode_region(code).name_en == english


@pytest.fixture
def client(loaded):  # noqa: F811
    with TestClient(create_app(loaded)) as client:
        yield client


def no_cjk(elements: list[Element], where: str) -> None:
    assert elements, where
    for element in elements:
        assert not CJK.search(element.text), (where, element.text)


def test_an_english_page_shows_no_enumeration_value_in_chinese(client):
    """Where a page shows an enumeration value (a status, an entity type, a region, an industry, a severity,
    a state, a rule topic, an enumerated field of a record), the English page shows it without a Chinese
    character; names, numbers and texts the departments wrote stay as written."""
    entity = parse(client.get(f"/entities/{CODE}?lang=en").text)
    basics = {div.first("dt").text: div.first("dd") for div in entity.first("dl", "basics").all("div")}
    no_cjk([basics[k] for k in ("Status", "Entity type", "Region", "Industry")], "entity basics")
    no_cjk(entity.all("span", "severity"), "severities")
    penalty = client.get(f"/api/v1/entities/{CODE}/records", params={"kind": "penalty"}).json()
    record_id = penalty["records"][0]["id"]
    record = parse(client.get(f"/records/{record_id}?lang=en").text)
    content = record.first("dl", "record-content")
    no_cjk(content.all("dt"), "field labels")
    enumerated = [
        div.first("dd")
        for div in content.all("div")
        if any(f"field-{key}" in div.attrs["class"] for key in ("party_class", "penalty_types", "severity"))
    ]
    no_cjk(enumerated, "enumerated fields")
    no_cjk(record.first("ol", "timeline").all("span", "state"), "states")
    about = parse(client.get("/about?lang=en").text)
    rules = about.all("table")[1].first("tbody").all("tr")
    no_cjk([tr.first("td") for tr in rules], "rule topics")


ENGLISH_VALIDATION = [entry["en"].split("{")[0] for entry in errors.messages()["validation"].values()]


@pytest.mark.parametrize(
    "path",
    [
        f"/entities/{CODE}/records?offset=-1",
        f"/entities/{CODE}?as_of=not-a-date",
        "/records/abc",
        "/records/0",
        "/entities/BADCODE",
        "/records/999999",
    ],
)
def test_a_chinese_page_shows_no_english_message(client, path):
    page = client.get(path)
    assert page.status_code in (404, 422), path
    main = parse(page.text).first("main").text
    assert CJK.search(main.split("查询")[0]), main
    for english in [*ENGLISH_VALIDATION, "invalid request", "is not a valid", "no record", "Input should"]:
        assert english not in main, (path, english)


def test_the_api_answers_english_unless_asked_for_chinese(client):
    english = client.get(f"/api/v1/entities/{CODE}/records?limit=0")
    assert english.json()["errors"][0]["message"] == "Input should be greater than or equal to 1"
    assert english.json()["detail"] == "invalid request" and english.headers["content-language"] == "en"
    for asked in (
        {"params": {"limit": 0, "lang": "zh"}},
        {"params": {"limit": 0}, "headers": {"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.8"}},
    ):
        chinese = client.get(f"/api/v1/entities/{CODE}/records", **asked)
        assert chinese.json()["errors"][0]["message"] == "应大于或等于 1", asked
        assert chinese.json()["detail"] == "请求参数有误" and chinese.headers["content-language"] == "zh"
    preferred = client.get("/api/v1/entities/BADCODE", headers={"Accept-Language": "en;q=0.9, zh;q=0.5"})
    assert preferred.json()["detail"].startswith("'BADCODE' is not a valid unified social credit code")
    chinese = client.get("/api/v1/entities/BADCODE?lang=zh").json()
    assert chinese["detail"] == "“BADCODE”不是有效的统一社会信用代码：长度校验未通过"
    assert set(chinese) == {"detail", "code", "errors"}


@pytest.mark.parametrize("prefix", ["/api/v1", ""])
def test_an_unknown_kind_or_category_is_a_422_naming_the_allowed_values(client, prefix):
    for name, allowed in (("kind", list(record_labels())), ("category", list(categories()))):
        answer = client.get(f"{prefix}/entities/{CODE}/records", params={name: "nonsense", "lang": "en"})
        assert answer.status_code == 422, name
        said = answer.json()["detail"] if prefix else parse(answer.text).first("main").text
        assert f"unknown {name} 'nonsense'" in said and all(value in said for value in allowed), said
    assert client.get(f"{prefix}/entities/{CODE}/records", params={"kind": "penalty"}).status_code == 200
    chinese = client.get(f"{prefix}/entities/{CODE}/records", params={"category": "nonsense", "lang": "zh"})
    said = chinese.json()["detail"] if prefix else parse(chinese.text).first("main").text
    assert (
        chinese.status_code == 422 and "未知的记录类别“nonsense”" in said and "administrative_penalty" in said
    )


# The only errors built with a detail and no key, by file and function, each with why.
DETAIL_WITHOUT_KEY = {
    (
        "http/errors.py",
        "platform_error",
    ): "the framework's own refusal (a 405, a 400), in Chinese its status's words",
}


def error_constructions() -> list[tuple[str, str, int, bool]]:
    """Every construction of an error class (a `XinyongError` subclass, found by walking the class
    definitions) in the source: file, enclosing function, line, and whether it gives a detail without a
    key. Constructions are checked wherever they are, so an error built here and raised later counts."""
    trees = {str(p.relative_to(SOURCE)): ast.parse(p.read_text("utf-8")) for p in SOURCE.rglob("*.py")}
    classes = {"XinyongError"}
    while True:
        found = {
            node.name
            for tree in trees.values()
            for node in ast.walk(tree)
            if isinstance(node, ast.ClassDef)
            and any(getattr(base, "id", getattr(base, "attr", None)) in classes for base in node.bases)
        }
        if found <= classes:
            break
        classes |= found
    made = []
    for file, tree in trees.items():
        for function in [tree, *(n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef))]:
            name = getattr(function, "name", "<module>")
            inner = [n for n in ast.walk(function) if n is not function and isinstance(n, ast.FunctionDef)]
            nested = {id(n) for f in inner for n in ast.walk(f)}
            for node in ast.walk(function):
                if id(node) in nested or not isinstance(node, ast.Call):
                    continue
                called = getattr(node.func, "id", getattr(node.func, "attr", None))
                if called in classes:
                    keywords = {k.arg for k in node.keywords}
                    bare = bool(node.args or "detail" in keywords) and "key" not in keywords
                    made.append((file, name, node.lineno, bare))
    return made


def test_every_error_is_raised_by_its_catalogue_key():
    """An error raised with a detail only says, in Chinese, no more than its class ("输入有误"): every error
    of the platform is built from a message key of the catalogue and its parameters."""
    made = error_constructions()
    assert len(made) > 200
    bare = [
        f"{file}:{line} ({function})"
        for file, function, line, without_key in made
        if without_key and (file, function) not in DETAIL_WITHOUT_KEY
    ]
    assert not bare, "raised with a detail and no message key:\n" + "\n".join(bare)
    allowed = {(file, function) for file, function, _, without_key in made if without_key}
    assert set(DETAIL_WITHOUT_KEY) <= allowed  # each exception listed is still needed


def option_texts(page: Element, name: str) -> list[str]:
    select = next(s for s in page.all("select") if s.attrs.get("name") == name)
    return [option.text for option in select.all("option") if option.attrs.get("value")]


def test_the_search_filters_in_the_page_language(client):
    """The search page offers its regions (province, city, county), industry sections, statuses and entity
    types in the page's language, shows each hit's region in it, and says a refused filter in it: the page as
    the API's answer in either language."""
    english, chinese = (
        parse(client.get(f"/search?q=鼎盛&region=330106&lang={lang}").text) for lang in ("en", "zh")
    )
    for name in ("province", "city", "county", "industry", "status", "entity_type"):
        assert option_texts(english, name) and not any(CJK.search(t) for t in option_texts(english, name)), (
            name
        )
        assert all(CJK.search(t) for t in option_texts(chinese, name)), name
    assert "In operation" in option_texts(english, "status") and "存续" in option_texts(chinese, "status")
    assert "Market regulation · Enterprise" in option_texts(english, "entity_type")
    assert "Zhejiang Province" in option_texts(english, "province") and "浙江省" in option_texts(
        chinese, "province"
    )
    assert "Hangzhou City" in option_texts(english, "city") and "Xihu District" in option_texts(
        english, "county"
    )
    assert "C Manufacturing" in option_texts(english, "industry") and "C 制造业" in option_texts(
        chinese, "industry"
    )
    regions = [div.text for div in english.all("div", "meta")]
    assert regions and all("Xihu District, Hangzhou City, Zhejiang Province" in r for r in regions), regions
    answer = client.get("/api/v1/search", params={"q": "鼎盛", "region": "3301"}).json()
    assert answer["filters"]["region_name_en"] == "Hangzhou City, Zhejiang Province"
    assert {hit["region_en"] for hit in answer["results"]} == {
        "Xihu District, Hangzhou City, Zhejiang Province"
    }
    basics = client.get(f"/api/v1/entities/{CODE}").json()["entity"]
    assert basics["region"]["name_en"] == "Xihu District, Hangzhou City, Zhejiang Province"
    assert basics["industry"] == {
        "code": "6513",
        "name": "应用软件开发",
        "name_en": "Software and Information Technology Services (division 65)",
    }
    refused = {
        "status": (
            "关门",
            "status '关门' is not a registration status; one of 存续",
            "“关门”不是登记状态；可选：存续",
        ),
        "entity_type": ("公司", "entity_type '公司' is not an entity type", "“公司”不是主体类型；可选："),
        "industry": (
            "Z",
            "industry 'Z' is not a section of GB/T 4754-2017; one of A, B",
            "“Z”不是 GB/T 4754-2017 的行业门类",
        ),
        "region": ("99", "region '99' is not a division code", "“99”不是行政区划代码：省级为 2 位"),
    }
    for name, (value, in_english, in_chinese) in refused.items():
        for lang, said in (("en", in_english), ("zh", in_chinese)):
            page = client.get("/search", params={"q": "鼎盛", name: value, "lang": lang})
            problem = parse(page.text).first("p", "problem").text
            assert page.status_code == 200 and said in problem, (name, lang, problem)
            answer = client.get("/api/v1/search", params={"q": "鼎盛", name: value, "lang": lang})
            assert answer.status_code == 422 and answer.json()["detail"] == problem, (name, lang)
    assert "请求参数有误" not in client.get("/search?q=鼎盛&status=关门").text


def test_a_refused_error_says_itself_in_both_languages(client):
    """Errors raised by their message key, through the API and a page, in Chinese and in English."""
    answer = client.get("/api/v1/publications", params={"date_from": "2026-02-01", "date_to": "2026-01-01"})
    assert answer.status_code == 422 and answer.json()["detail"] == (
        "date_from 2026-02-01 is after date_to 2026-01-01"
    )
    chinese = client.get("/api/v1/publications", params={"kind": "nonsense", "lang": "zh"}).json()
    assert chinese["detail"].startswith("kind 的值“nonsense”无效；可选：")
    assert chinese["errors"][0]["message"] == chinese["detail"]
    page = client.get("/publications", params={"date_from": "2026-02-01", "date_to": "2026-01-01"})
    assert "起始日期 2026-02-01 晚于截止日期 2026-01-01" in parse(page.text).first("p", "problem").text
    unknown = client.get("/api/v1/no-such-route?lang=zh")
    assert unknown.status_code == 404 and unknown.json()["detail"] == "您访问的页面或接口不存在"
    assert client.get("/api/v1/no-such-route").json()["detail"] == "Not Found"
