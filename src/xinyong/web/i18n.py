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
    "search": {"zh": "查询", "en": "Search"},
    "search_placeholder": {
        "zh": "输入企业名称（至少2个字）或统一社会信用代码",
        "en": "Name (2+ characters) or unified social credit code",
    },
    "results": {"zh": "查询结果", "en": "Results"},
    "no_results": {"zh": "未找到匹配的市场主体", "en": "No entity found"},
    "code": {"zh": "统一社会信用代码", "en": "Unified social credit code"},
    "name": {"zh": "名称", "en": "Name"},
    "former_names": {"zh": "曾用名", "en": "Former names"},
    "status": {"zh": "登记状态", "en": "Status"},
    "region": {"zh": "登记地区", "en": "Region"},
    "adverse": {"zh": "失信及处罚记录", "en": "Adverse records"},
    "entity_type": {"zh": "主体类型", "en": "Entity type"},
    "entity_form": {"zh": "组织形式", "en": "Legal form"},
    "industry": {"zh": "行业", "en": "Industry"},
    "established_on": {"zh": "成立日期", "en": "Established"},
    "capital": {"zh": "注册资本（万元）", "en": "Registered capital (10k CNY)"},
    "address": {"zh": "住所", "en": "Address"},
    "legal_rep": {"zh": "法定代表人", "en": "Legal representative"},
    "provisional": {
        "zh": "尚未收到登记信息，基本信息取自信用记录",
        "en": "Registration not yet received; basics taken from records",
    },
    "as_of": {"zh": "查询日期", "en": "As of"},
    "show": {"zh": "查看", "en": "Show"},
    "records_public": {"zh": "公示中的信用记录", "en": "Records public on this date"},
    "no_records": {"zh": "该日期无公示中的信用记录", "en": "No record public on this date"},
    "document_no": {"zh": "决定文书号", "en": "Document number"},
    "decision_date": {"zh": "决定日期", "en": "Decision date"},
    "authority": {"zh": "决定机关", "en": "Deciding authority"},
    "basis": {"zh": "依据", "en": "Legal basis"},
    "severity": {"zh": "失信程度", "en": "Severity"},
    "source": {"zh": "数据来源", "en": "Source"},
    "collected_at": {"zh": "归集时间", "en": "Collected"},
    "public_until": {"zh": "公示截止", "en": "Public until"},
    "no_end": {"zh": "长期", "en": "No fixed end"},
    "rule": {"zh": "依据规则", "en": "Rule"},
    "content": {"zh": "内容", "en": "Content"},
    "versions": {"zh": "版本记录", "en": "Versions"},
    "version": {"zh": "版本", "en": "Version"},
    "state": {"zh": "状态", "en": "State"},
    "members": {"zh": "名单成员", "en": "Members"},
    "total": {"zh": "共", "en": "Total"},
    "next": {"zh": "下一页", "en": "Next"},
    "about": {"zh": "关于数据", "en": "About the data"},
    "rules": {"zh": "公示规则及依据", "en": "Rules and their sources"},
    "recent": {"zh": "最新双公示信息", "en": "Latest licences and penalties"},
    "lists": {"zh": "名单", "en": "Lists"},
    "error": {"zh": "出错了", "en": "Something went wrong"},
    "topic": {"zh": "事项", "en": "Topic"},
    "effective": {"zh": "施行期间", "en": "In force"},
    "citation": {"zh": "出处", "en": "Citation"},
    "state.active": {"zh": "有效", "en": "active"},
    "state.corrected": {"zh": "已更正", "en": "corrected"},
    "state.withdrawn": {"zh": "已撤销", "en": "withdrawn"},
    "state.repaired": {"zh": "已修复", "en": "repaired"},
    "state.removed": {"zh": "已移出", "en": "removed"},
    "state.expired": {"zh": "已到期", "en": "expired"},
    "kind.penalty": {"zh": "行政处罚", "en": "Penalties"},
    "kind.licence": {"zh": "行政许可", "en": "Licences"},
    "kind.registration": {"zh": "登记信息", "en": "Registrations"},
    "kind.annual-report": {"zh": "年度报告", "en": "Annual reports"},
    "kind.list": {"zh": "名单", "en": "Lists"},
    "sign_in": {"zh": "工作人员登录", "en": "Staff sign-in"},
    "username": {"zh": "用户名", "en": "Username"},
    "password": {"zh": "密码", "en": "Password"},
    "totp": {"zh": "动态验证码（管理员）", "en": "One-time code (administrators)"},
    "submit_sign_in": {"zh": "登录", "en": "Sign in"},
    "sign_out": {"zh": "退出登录", "en": "Sign out"},
    "account": {"zh": "我的账户", "en": "My account"},
    "role": {"zh": "角色", "en": "Role"},
    "signed_in_as": {"zh": "当前登录", "en": "Signed in as"},
    "sign_in_failed": {"zh": "登录失败", "en": "Sign-in failed"},
}


def translator(lang: str):
    lang = lang if lang in LANGUAGES else "zh"

    def t(key: str) -> str:
        entry = STRINGS.get(key)
        return entry[lang] if entry else key

    return t
