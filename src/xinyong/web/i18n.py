"""Interface strings: Simplified Chinese by default, English on ?lang=en. Reject reasons are data of their
own (reasons.toml): the codes collection gives, in words."""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from functools import cache
from importlib import resources

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
    "capital": {"zh": "注册资本", "en": "Registered capital"},
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
    "recent_exits": {"zh": "近期移出", "en": "Recent exits"},
    "feedback": {"zh": "惩戒反馈", "en": "Measures applied (feedback)"},
    "feedback_intro": {
        "zh": "本部门报送的联合奖惩措施实施情况（接口 POST /api/v1/feedback），按措施和结果统计。",
        "en": "Measures this department reported applying (POST /api/v1/feedback), by measure and outcome.",
    },
    "feedback_none": {
        "zh": "本部门尚未报送惩戒反馈。",
        "en": "This department has reported no feedback yet.",
    },
    "feedback_measure": {"zh": "措施", "en": "Measure"},
    "feedback_outcome": {"zh": "结果", "en": "Outcome"},
    "feedback_reports": {"zh": "报送次数", "en": "Reports"},
    "feedback_entities": {"zh": "涉及主体", "en": "Entities"},
    "feedback_last": {"zh": "最近实施日期", "en": "Last applied on"},
    "outcome_applied": {"zh": "已实施", "en": "Applied"},
    "outcome_not_applied": {"zh": "未实施", "en": "Not applied"},
    "outcome_lifted": {"zh": "已解除", "en": "Lifted"},
    "exit_list_exit": {"zh": "移出", "en": "Removed"},
    "exit_expired": {"zh": "期满", "en": "Term ended"},
    "exit_on": {"zh": "生效日期", "en": "Effective on"},
    "exit_how": {"zh": "方式", "en": "How"},
    "previous": {"zh": "上一页", "en": "Previous"},
    "all_records": {"zh": "查看该类全部记录", "en": "All records of this kind"},
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
    "sign_in_wrong": {"zh": "用户名、密码或动态验证码错误", "en": "wrong username, password or code"},
    "sign_in_locked": {
        "zh": "连续登录失败次数过多，账户已暂时锁定，请稍后再试",
        "en": "too many failed sign-ins: the account is locked for a while",
    },
    "form_expired": {"zh": "页面已过期，请重新提交", "en": "the form expired, please try again"},
    "desk": {"zh": "部门工作台", "en": "Department desk"},
    "upload": {"zh": "上传数据文件", "en": "Upload a file"},
    "upload_file": {"zh": "文件（CSV、XLSX 或 JSON）", "en": "File (CSV, XLSX or JSON)"},
    "upload_kind": {"zh": "数据类型", "en": "Kind of data"},
    "upload_kind_detect": {"zh": "按表头自动识别", "en": "Detect from the header"},
    "upload_submit": {"zh": "上传并校验", "en": "Upload and check"},
    "upload_hint": {
        "zh": "文件作为一个批次整体入库；未通过校验的行退回，并列明行号、字段和原因；"
        "选填字段的值未通过校验的，该行照常入库、该值不入库，记为警告。",
        "en": "The file loads as one batch; a row that fails a check is rejected with its field and reason; "
        "a row whose optional field fails its check loads without that value, with a warning.",
    },
    "upload_failed": {"zh": "文件无法读取", "en": "The file cannot be read"},
    "timeliness": {"zh": "公示及时性", "en": "Timeliness"},
    "timed": {"zh": "计算时限的记录", "en": "Records with a deadline"},
    "late_records": {"zh": "超期公示记录", "en": "Records published late"},
    "lag_median": {"zh": "公示滞后中位数（工作日）", "en": "Median lag (working days)"},
    "timeliness_unknown": {"zh": "无法计算（缺少节假日安排）", "en": "Unknown (no holiday calendar)"},
    "batches": {"zh": "归集批次", "en": "Batches"},
    "no_batches": {"zh": "尚无归集批次", "en": "No batch yet"},
    "batch": {"zh": "批次", "en": "Batch"},
    "file": {"zh": "文件", "en": "File"},
    "file_format": {"zh": "文件格式", "en": "Format"},
    "file_sha256": {"zh": "文件 SHA-256", "en": "File SHA-256"},
    "channel": {"zh": "报送方式", "en": "Channel"},
    "channel.api": {"zh": "上传", "en": "Upload"},
    "channel.cli": {"zh": "平台导入", "en": "Loaded on the host"},
    "received_at": {"zh": "接收时间", "en": "Received"},
    "finished_at": {"zh": "完成时间", "en": "Finished"},
    "rows": {"zh": "行数", "en": "Rows"},
    "duplicates": {"zh": "重复", "en": "Duplicates"},
    "review": {"zh": "待人工核对", "en": "To review"},
    "kind": {"zh": "数据类型", "en": "Kind"},
    "file_kind.penalty": {"zh": "行政处罚", "en": "Penalties"},
    "file_kind.licence": {"zh": "行政许可", "en": "Licences"},
    "file_kind.entity": {"zh": "登记信息", "en": "Registrations"},
    "file_kind.annual-report": {"zh": "年度报告", "en": "Annual reports"},
    "file_kind.list": {"zh": "名单", "en": "Lists"},
    "reject_reasons": {"zh": "退回原因", "en": "Why rows were rejected"},
    "problems": {"zh": "问题数", "en": "Problems"},
    "rejects": {"zh": "退回明细", "en": "Rejected rows"},
    "no_rejects": {"zh": "没有退回的行", "en": "No row was rejected"},
    "all_rejects": {"zh": "全部退回明细", "en": "Every rejected row"},
    "download_csv": {"zh": "下载退回明细（CSV）", "en": "Download the rejects (CSV)"},
    "rejected_rows_problems": {
        "zh": "退回 {rows} 行，共 {problems} 个问题",
        "en": "Rows rejected: {rows}; problems found: {problems}",
    },
    "warnings": {"zh": "警告", "en": "Warnings"},
    "warning_count": {"zh": "警告数", "en": "Warnings"},
    "warning_reasons": {"zh": "警告原因", "en": "Warnings by reason"},
    "warning_list": {"zh": "警告明细", "en": "Warnings"},
    "no_warnings": {"zh": "没有警告", "en": "No warning"},
    "all_warnings": {"zh": "全部警告明细", "en": "Every warning"},
    "download_warnings_csv": {"zh": "下载警告明细（CSV）", "en": "Download the warnings (CSV)"},
    "warnings_summary": {
        "zh": "共 {n} 条警告：这些行已入库，所列字段的值未入库或需要核对",
        "en": "Warnings: {n}. These rows were loaded; the value of each field listed was left out or is to "
        "be checked",
    },
    "row": {"zh": "行号", "en": "Row"},
    "field": {"zh": "字段", "en": "Field"},
    "reason": {"zh": "原因", "en": "Reason"},
    "reason_code": {"zh": "原因代码", "en": "Reason code"},
    "message": {"zh": "说明", "en": "Detail"},
    "no_late": {"zh": "没有超期公示的记录", "en": "No record was published late"},
    "published_on": {"zh": "公示日期", "en": "Published"},
    "lag": {"zh": "滞后（工作日）", "en": "Lag (working days)"},
    "deadline": {"zh": "时限（工作日）", "en": "Deadline (working days)"},
    "first_shown": {"zh": "仅列出前 {n} 条", "en": "The first {n} are listed"},
    "back_to_desk": {"zh": "返回部门工作台", "en": "Back to the desk"},
    "back_to_batch": {"zh": "返回批次", "en": "Back to batch"},
    "sign_in_needed": {"zh": "请先登录", "en": "Please sign in first"},
    "check": {"zh": "联合奖惩核查", "en": "Rewards and punishments check"},
    "check_intro": {
        "zh": "输入统一社会信用代码或名称，选择办理事项，查询该主体在所选日期适用的守信激励和失信惩戒措施。"
        "每次查询结果都经平台签名，可下载并验证。",
        "en": "Give a unified social credit code or a name and choose a matter: the incentives and "
        "punishments that apply to the entity on the chosen day. Every answer is signed by the platform; "
        "download it and verify it.",
    },
    "check_or": {"zh": "或", "en": "or"},
    "check_code_hint": {"zh": "18 位代码", "en": "18 characters"},
    "check_name_hint": {"zh": "现用名称全称", "en": "The full current name"},
    "matter": {"zh": "办理事项", "en": "Matter"},
    "matter_choose": {"zh": "请选择事项", "en": "Choose a matter"},
    "check_date": {"zh": "日期", "en": "Date"},
    "check_date_hint": {"zh": "（不填为今天）", "en": "(empty: today)"},
    "check_submit": {"zh": "核查", "en": "Check"},
    "check_invalid": {"zh": "输入有误", "en": "Invalid input"},
    "check_result": {"zh": "核查结果", "en": "Result"},
    "decision.pass": {"zh": "通过", "en": "Pass"},
    "decision.incentive": {"zh": "激励", "en": "Incentive"},
    "decision.supervise": {"zh": "加强监管", "en": "Enhanced supervision"},
    "decision.restrict": {"zh": "限制", "en": "Restricted"},
    "decision.prohibit": {"zh": "禁止", "en": "Prohibited"},
    "decision.ambiguous": {"zh": "同名待确认", "en": "Several entities bear this name"},
    "decision.unknown": {"zh": "无此主体", "en": "No such entity"},
    "explain.pass": {
        "zh": "该日期没有适用于此事项的激励或惩戒措施。",
        "en": "No incentive or punishment applies to this matter on this day.",
    },
    "explain.incentive": {
        "zh": "适用守信激励措施，见下表。",
        "en": "Incentives apply: see the table below.",
    },
    "explain.supervise": {
        "zh": "适用加强监管措施，见下表。",
        "en": "Enhanced supervision applies: see the table below.",
    },
    "explain.restrict": {
        "zh": "适用限制措施，见下表。",
        "en": "Restrictions apply: see the table below.",
    },
    "explain.prohibit": {
        "zh": "适用禁止性措施，见下表。",
        "en": "A prohibition applies: see the table below.",
    },
    "explain.ambiguous": {
        "zh": "多个主体使用此名称，请按统一社会信用代码核查：",
        "en": "Several entities bear this name: check one of them by its code.",
    },
    "explain.unknown": {
        "zh": "平台没有此统一社会信用代码或名称的主体。",
        "en": "The platform holds no entity of this code or name.",
    },
    "candidates": {"zh": "同名主体", "en": "Entities of this name"},
    "check_this": {"zh": "按此代码核查", "en": "Check this one"},
    "hits": {"zh": "适用的措施", "en": "Measures that apply"},
    "list_or_category": {"zh": "名单或记录类别", "en": "List or kind of record"},
    "measure": {"zh": "措施", "en": "Measure"},
    "effect": {"zh": "效果", "en": "Effect"},
    "target": {"zh": "对象", "en": "Applies to"},
    "implementer": {"zh": "实施部门", "en": "Implemented by"},
    "hit_until": {"zh": "适用至", "en": "Until"},
    "until_removed": {"zh": "至移出或修复", "en": "Until removed or repaired"},
    "basis_unverified": {"zh": "依据待核实", "en": "basis to be checked"},
    "basis_unverified_note": {
        "zh": "标注“依据待核实”的措施，其法律依据尚未与法规原文核对，仅供参考。",
        "en": "A measure marked “basis to be checked” cites a basis not yet read in the statute text.",
    },
    "target.entity": {"zh": "主体本身", "en": "The entity"},
    "target.legal_representative": {"zh": "法定代表人、负责人", "en": "Legal representative"},
    "receipt": {"zh": "核查凭证", "en": "Receipt"},
    "receipt_id": {"zh": "凭证编号", "en": "Receipt id"},
    "signed_at": {"zh": "签发时间", "en": "Signed"},
    "key_id": {"zh": "签名密钥", "en": "Signing key"},
    "data_version": {"zh": "数据版本", "en": "Data version"},
    "data_version_value": {
        "zh": "信用记录截至第 {records} 号版本；措施目录 {measures}",
        "en": "Records through version {records}; measures catalogue {measures}",
    },
    "download_receipt": {"zh": "下载签名的 JSON 凭证", "en": "Download the signed JSON"},
    "how_to_verify": {"zh": "如何验证", "en": "How to verify"},
    "verify_online": {
        "zh": "在线验证：将下载的 JSON 原样以 POST 提交至",
        "en": "Online: POST the downloaded JSON, unchanged, to",
    },
    "verify_offline": {"zh": "离线验证：公钥见", "en": "Offline: the public key is at"},
    "verify_offline_how": {
        "zh": "；去掉 receipt.signature，将其余内容按规范 JSON（键排序、无空白、UTF-8）序列化，"
        "校验 Ed25519 签名。",
        "en": "; remove receipt.signature, serialize the rest as canonical JSON (sorted keys, no whitespace, "
        "UTF-8) and check the Ed25519 signature.",
    },
    "checked_as_of": {"zh": "核查日期", "en": "Checked as of"},
    "in_force": {"zh": "名单与惩戒措施", "en": "Lists and measures in force"},
    "in_force_none": {"zh": "该日期未列入任何名单。", "en": "On no list on this date."},
    "list_name": {"zh": "名单", "en": "List"},
    "listed_on": {"zh": "列入日期", "en": "Listed on"},
    "planned_end": {"zh": "预计移出", "en": "Planned end"},
    "check_entity": {"zh": "核查办理事项", "en": "Check a matter"},
}


def translator(lang: str):
    lang = lang if lang in LANGUAGES else "zh"

    def t(key: str) -> str:
        entry = STRINGS.get(key)
        return entry[lang] if entry else key

    return t


# A code with no entry (a new reason not yet described) is shown as this, never as the code itself.
OTHER_REASON = {"zh": "其他数据问题", "en": "Another problem with the data"}


@cache
def reasons() -> dict[str, dict[str, str]]:
    """Reason code → its words in each language (reasons.toml)."""
    text = resources.files("xinyong.web").joinpath("reasons.toml").read_text("utf-8")
    return {code: dict(words) for code, words in tomllib.loads(text)["reasons"].items()}


def reason_words(lang: str) -> Callable[[str], str]:
    lang = lang if lang in LANGUAGES else "zh"

    def words(code: str) -> str:
        return reasons().get(code, OTHER_REASON)[lang]

    return words
