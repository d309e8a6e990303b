"""Interface strings: Simplified Chinese by default, English on ?lang=en."""

from __future__ import annotations

LANGUAGES = ("zh", "en")

STRINGS: dict[str, dict[str, str]] = {
    "site": {"zh": "信用信息公示平台", "en": "Public Credit Information Platform"},
    "tagline": {"zh": "市场主体公共信用信息查询", "en": "Public credit information of market entities"},
    "entities": {"zh": "市场主体", "en": "Entities"},
    "records": {"zh": "信用记录", "en": "Credit records"},
    "freshness": {"zh": "各部门数据归集情况", "en": "Data collection by department"},
    "department": {"zh": "部门", "en": "Department"},
    "last_batch": {"zh": "最近归集", "en": "Last batch"},
    "accepted": {"zh": "入库", "en": "Accepted"},
    "rejected": {"zh": "退回", "en": "Rejected"},
    "late": {"zh": "超期公示", "en": "Late"},
    "json": {"zh": "JSON 数据", "en": "JSON data"},
    "switch": {"zh": "English", "en": "中文"},
    "kind.penalty": {"zh": "行政处罚", "en": "Penalties"},
    "kind.licence": {"zh": "行政许可", "en": "Licences"},
    "kind.registration": {"zh": "登记信息", "en": "Registrations"},
    "kind.annual-report": {"zh": "年度报告", "en": "Annual reports"},
    "kind.list": {"zh": "名单", "en": "Lists"},
}


def translator(lang: str):
    lang = lang if lang in LANGUAGES else "zh"

    def t(key: str) -> str:
        entry = STRINGS.get(key)
        return entry[lang] if entry else key

    return t
