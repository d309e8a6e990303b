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
    # The rights of entities on record (异议、信用修复、信用承诺)
    "contested": {"zh": "有异议", "en": "Contested"},
    "contested_note": {
        "zh": "该记录的异议正在核查中",
        "en": "An objection to this record is under verification",
    },
    "object_to_record": {"zh": "提出异议", "en": "Object to this record"},
    "apply_repair": {"zh": "申请信用修复", "en": "Apply for credit repair"},
    "my_cases": {"zh": "我的案件", "en": "My cases"},
    "case_inbox": {"zh": "案件收件箱", "en": "Case inbox"},
    "new_commitment": {"zh": "作出信用承诺", "en": "Sign a credit commitment"},
    "cases_intro_entity": {
        "zh": "本主体提出的异议、信用修复申请和作出的信用承诺，及其办理状态和时限。"
        "对某条记录提出异议或申请修复，请在该记录的页面上操作。",
        "en": "The objections, repair applications and commitments of this entity, with their state and "
        "deadline. To object to a record or apply for its repair, open the record's page.",
    },
    "cases_intro_department": {
        "zh": "关于本部门报送记录的异议和信用修复申请，以及向本部门作出的信用承诺。"
        "超期案件排在最前，其余按办理时限排序。",
        "en": "Objections and repair applications about the records this department sent, and the "
        "commitments made to it. Overdue cases come first, then by deadline.",
    },
    "no_cases": {"zh": "没有案件", "en": "No case"},
    "cases_total": {"zh": "共 {n} 件", "en": "Cases: {n}"},
    "case": {"zh": "案件", "en": "Case"},
    "case_no": {"zh": "案件编号", "en": "Case number"},
    "case_kind": {"zh": "类型", "en": "Kind"},
    "case_state": {"zh": "办理状态", "en": "State"},
    "case_record": {"zh": "所涉记录", "en": "Record"},
    "case_entity": {"zh": "市场主体", "en": "Entity"},
    "case_department": {"zh": "办理部门", "en": "Handling department"},
    "opened_on": {"zh": "提交日期", "en": "Opened"},
    "opened_at": {"zh": "提交时间", "en": "Opened at"},
    "due_on": {"zh": "办理时限", "en": "Due by"},
    "no_deadline": {"zh": "无时限", "en": "No deadline"},
    "overdue": {"zh": "已超期", "en": "Overdue"},
    "closed": {"zh": "已办结", "en": "Closed"},
    "deadline_rule": {"zh": "时限依据", "en": "Deadline set by"},
    "deadline_days": {"zh": "{n} 个工作日", "en": "{n} working days"},
    "filter": {"zh": "筛选", "en": "Filter"},
    "filter_all_kinds": {"zh": "全部类型", "en": "All kinds"},
    "filter_all_states": {"zh": "全部状态", "en": "All states"},
    "filter_show_closed": {"zh": "包括已办结的案件", "en": "Include closed cases"},
    "filter_open_only_note": {"zh": "默认只列出办理中的案件。", "en": "Open cases only, unless asked."},
    "case_kind.objection": {"zh": "异议", "en": "Objection"},
    "case_kind.repair": {"zh": "信用修复", "en": "Credit repair"},
    "case_kind.commitment": {"zh": "信用承诺", "en": "Credit commitment"},
    "case_filed": {"zh": "申请内容", "en": "What was filed"},
    "ground": {"zh": "异议理由", "en": "Ground"},
    "statement": {"zh": "陈述", "en": "Statement"},
    "attachments": {"zh": "附件", "en": "Attachments"},
    "no_attachments": {"zh": "无附件", "en": "No attachment"},
    "bytes": {"zh": "字节", "en": "bytes"},
    "timeline": {"zh": "办理过程", "en": "Timeline"},
    "event_when": {"zh": "时间", "en": "When"},
    "event_who": {"zh": "办理人", "en": "Who"},
    "event_what": {"zh": "事项", "en": "What"},
    "event_state": {"zh": "状态变化", "en": "State"},
    "case_outcome": {"zh": "办理结果", "en": "Outcome"},
    "resolution": {"zh": "处理方式", "en": "Resolution"},
    "resolution_choose": {"zh": "请选择处理方式", "en": "Choose a resolution"},
    "new_record_version": {"zh": "记录的新版本", "en": "New version of the record"},
    "refusal_reasons": {"zh": "不符合修复条件的原因", "en": "Why the record is not eligible"},
    "consequences": {"zh": "违诺后果", "en": "Consequences of the breach"},
    "consequence.revoke_approval": {"zh": "撤销据此作出的审批决定", "en": "The approval is revoked"},
    "consequence.dishonesty_record": {
        "zh": "违诺信息记入信用档案并公示",
        "en": "A breach record in the credit file, published",
    },
    "revoked_approval": {"zh": "被撤销的审批", "en": "Approval revoked"},
    "breach_record": {"zh": "违诺记录", "en": "Breach record"},
    "obligations": {"zh": "承诺事项", "en": "Obligations"},
    "obligation": {"zh": "事项", "en": "Obligation"},
    "obligation_state.open": {"zh": "履行中", "en": "Open"},
    "obligation_state.performed": {"zh": "已履行", "en": "Performed"},
    "obligation_state.breached": {"zh": "未履行（违诺）", "en": "Breached"},
    "settled_on": {"zh": "认定日期", "en": "Settled on"},
    "repair_receipt": {"zh": "信用修复结果告知书（签名凭证）", "en": "Repair receipt (signed)"},
    "repair_receipt_verify": {
        "zh": "验证：将以下 JSON 原样以 POST 提交至",
        "en": "Verify: POST the JSON below, unchanged, to",
    },
    "take_action": {"zh": "办理", "en": "Act on the case"},
    "no_actions": {"zh": "当前没有您可以进行的操作。", "en": "Nothing for you to do on this case now."},
    "action_reason": {"zh": "理由", "en": "Reason"},
    "action_reason_optional": {"zh": "说明（选填）", "en": "Note (optional)"},
    "corrections": {
        "zh": "更正的字段（仅“更正该记录”时填写）",
        "en": "Fields to correct (a correction only)",
    },
    "correction_field": {"zh": "字段", "en": "Field"},
    "correction_value": {"zh": "更正后的值", "en": "Corrected value"},
    "action_refused": {"zh": "操作未完成", "en": "Not done"},
    "form_refused": {"zh": "提交未成功", "en": "Not submitted"},
    "commitment_text": {"zh": "承诺内容", "en": "Commitment"},
    "commitment_signed_at": {"zh": "承诺时间", "en": "Signed at"},
    "template": {"zh": "承诺书", "en": "Template"},
    "reference": {"zh": "审批文号", "en": "Approval reference"},
    "temporary_repair": {"zh": "重整期间临时修复", "en": "Temporary repair during restructuring"},
    "restructuring_ruling": {"zh": "法院裁定书文号", "en": "Court ruling number"},
    "back_to_cases": {"zh": "返回案件列表", "en": "Back to the cases"},
    "back_to_record": {"zh": "返回记录", "en": "Back to the record"},
    "view_case": {"zh": "查看案件", "en": "Open the case"},
    "receipt_json": {"zh": "凭证 JSON", "en": "Receipt JSON"},
    # The objection form
    "objection_title": {"zh": "对信用记录提出异议", "en": "Object to a credit record"},
    "objection_intro": {
        "zh": "认为该记录存在错误、遗漏，或超过公示期限仍在公示的，可以提出异议。"
        "异议由报送该记录的部门核查处理。",
        "en": "If the record is wrong, incomplete or still shown past its term, object to it: the department "
        "that sent the record verifies and decides.",
    },
    "ground_choose": {"zh": "请选择异议理由", "en": "Choose a ground"},
    "statement_objection": {"zh": "异议陈述", "en": "Statement"},
    "statement_hint": {
        "zh": "说明具体理由和事实，最多 4000 字",
        "en": "The facts and reasons, 4,000 characters at most",
    },
    "files": {"zh": "证明材料", "en": "Supporting files"},
    "files_hint": {
        "zh": "最多 5 个文件，每个不超过 5 MB，限 PDF、PNG、JPEG 格式",
        "en": "Up to 5 files of 5 MB each: PDF, PNG or JPEG",
    },
    "submit_objection": {"zh": "提交异议", "en": "File the objection"},
    # The repair form
    "repair_title": {"zh": "申请信用修复", "en": "Apply for credit repair"},
    "repair_intro": {
        "zh": "信用修复由作出该记录的部门审核（谁认定、谁修复）。平台先按现行规则核验是否符合修复条件："
        "不符合的，申请将由系统直接告知不予修复及原因。",
        "en": "The department that decided the record reviews the application. The platform first checks "
        "the conditions in force: an application that does not meet them is refused at once, with the "
        "reasons.",
    },
    "eligibility": {"zh": "修复条件核验", "en": "Eligibility"},
    "eligibility_on": {"zh": "核验日期", "en": "Checked on"},
    "eligible_yes": {"zh": "符合申请条件", "en": "Eligible"},
    "eligible_no": {"zh": "目前不符合修复条件", "en": "Not eligible now"},
    "earliest_on": {"zh": "最早可申请日期", "en": "Earliest day to apply"},
    "rules_applied": {"zh": "适用的规则", "en": "Rules applied"},
    "review_items": {"zh": "部门审核时还将核实", "en": "The department will also confirm"},
    "commitment_required_note": {
        "zh": "申请信用修复须同时作出信用修复承诺。",
        "en": "A credit-repair commitment is signed with the application.",
    },
    "i_commit": {"zh": "我承诺", "en": "I commit"},
    "statement_repair": {"zh": "申请说明", "en": "Statement"},
    "temporary_hint": {
        "zh": "仅适用于人民法院裁定批准重整计划的主体",
        "en": "Only for an entity whose restructuring plan a court approved",
    },
    "submit_repair": {"zh": "提交修复申请", "en": "Apply"},
    # The commitment form
    "commitment_title": {"zh": "作出信用承诺", "en": "Sign a credit commitment"},
    "commitment_intro": {
        "zh": "选择承诺书，向相关部门作出承诺。公开的承诺记入信用档案并公示；"
        "违反承诺的，依承诺书承担相应后果。"
        "信用修复承诺随修复申请一并作出。",
        "en": "Choose a template and commit to a department. A published commitment enters the credit file; "
        "a breach has the consequences the template names. A credit-repair commitment is signed with the "
        "repair application.",
    },
    "department_choose": {"zh": "请选择部门", "en": "Choose a department"},
    "no_departments": {"zh": "平台尚未登记任何部门。", "en": "No department is on record yet."},
    "reference_hint": {
        "zh": "告知承诺制审批须填写审批文号",
        "en": "Required for a notification-commitment approval",
    },
    "matter_optional": {"zh": "办理事项（选填）", "en": "Matter (optional)"},
    "matter_none": {"zh": "不指定", "en": "None"},
    "publish_yes": {"zh": "记入信用档案并公示", "en": "Published in the credit file"},
    "needs_reference": {"zh": "须填写审批文号", "en": "Needs an approval reference"},
    "obligations_within": {"zh": "履行期限", "en": "Within"},
    "submit_commitment": {"zh": "签署承诺", "en": "Sign"},
    # Problems with what was sent, in words (the service's own message follows)
    "case_problem.statement.missing": {"zh": "请填写陈述或说明", "en": "Please write a statement"},
    "case_problem.statement.too_long": {"zh": "陈述不得超过 4000 字", "en": "The statement is too long"},
    "case_problem.reason": {"zh": "该操作须填写理由", "en": "This action needs a reason"},
    "case_problem.reason.too_long": {"zh": "理由不得超过 4000 字", "en": "The reason is too long"},
    "case_problem.ground": {"zh": "请选择异议理由", "en": "Please choose a ground"},
    "case_problem.attachments.too_many": {"zh": "附件最多 5 个", "en": "At most 5 attachments"},
    "case_problem.attachments.media_type": {
        "zh": "附件 {file}（{name}）的格式不受理，仅限 PDF、PNG、JPEG",
        "en": "Attachment {file} ({name}) is not a PDF, PNG or JPEG file",
    },
    "case_problem.attachments.empty": {
        "zh": "附件 {file}（{name}）是空文件",
        "en": "Attachment {file} ({name}) is empty",
    },
    "case_problem.attachments.too_large": {
        "zh": "附件 {file}（{name}）超过 5 MB",
        "en": "Attachment {file} ({name}) is larger than 5 MB",
    },
    "case_problem.attachments.content_mismatch": {
        "zh": "附件 {file}（{name}）的内容与其文件格式不符",
        "en": "The content of attachment {file} ({name}) does not match its type",
    },
    "case_problem.record_id": {
        "zh": "该记录当前不在公示中，无需提出异议",
        "en": "The record is not public now: nothing to object to",
    },
    "case_problem.case_id": {
        "zh": "该记录已有办理中的同类案件（案件编号 {case_id}）",
        "en": "A case of this kind about the record is still open (case {case_id})",
    },
    "case_problem.restructuring_ruling.missing": {
        "zh": "申请重整期间临时修复须填写法院裁定书文号",
        "en": "A temporary repair needs the court ruling number",
    },
    "case_problem.restructuring_ruling.too_long": {
        "zh": "法院裁定书文号过长",
        "en": "The court ruling number is too long",
    },
    "case_problem.commitment": {
        "zh": "申请信用修复须勾选“我承诺”，作出信用修复承诺",
        "en": "Tick “I commit” to sign the credit-repair commitment",
    },
    "case_problem.template": {"zh": "请选择承诺书", "en": "Please choose a template"},
    "case_problem.reference.missing": {
        "zh": "该承诺书须填写审批文号",
        "en": "This template needs the approval reference",
    },
    "case_problem.reference.too_long": {"zh": "审批文号过长", "en": "The reference is too long"},
    "case_problem.matter": {"zh": "请选择列出的办理事项", "en": "Please choose a listed matter"},
    "case_problem.department": {"zh": "请选择已登记的部门", "en": "Please choose a department on record"},
    "case_problem.measure": {
        "zh": "该主体目前不适用告知承诺制",
        "en": "Notification-commitment is not open to this entity now",
    },
    "case_problem.resolution": {"zh": "请选择处理方式", "en": "Please choose a resolution"},
    "case_problem.changes": {
        "zh": "更正该记录须写明更正的字段和更正后的值",
        "en": "A correction names the fields it changes and their new values",
    },
    "case_problem.changes.field": {
        "zh": "该字段不能更正",
        "en": "That field may not be corrected",
    },
    "case_problem.not_eligible": {
        "zh": "该记录今日不符合修复条件",
        "en": "The record is not eligible for repair today",
    },
    "case_problem.forbidden": {"zh": "您无权进行该操作", "en": "You may not do this"},
    "case_problem.own_records": {
        "zh": "只能就本主体的记录提出异议或申请修复",
        "en": "An entity files cases about its own records only",
    },
    "case_problem.conflict": {
        "zh": "案件当前状态下不能进行该操作",
        "en": "The case's state does not allow this now",
    },
    "case_problem.calendar": {
        "zh": "办理时限无法计算：节假日安排中没有该年份",
        "en": "The deadline cannot be counted: the holiday calendar lacks the year",
    },
    "case_role.entity": {"zh": "市场主体", "en": "Entity"},
    "case_role.department_officer": {"zh": "部门经办人员", "en": "Department officer"},
    "case_role.department_admin": {"zh": "部门管理员", "en": "Department administrator"},
    "case_role.operator": {"zh": "平台运维", "en": "Platform operator"},
    "case_role.system": {"zh": "平台自动核验", "en": "The platform"},
    "case_role.platform_admin": {"zh": "平台管理员", "en": "Platform administrator"},
    "case_action.objection.file": {"zh": "提出异议", "en": "Objection filed"},
    "case_action.objection.accept": {"zh": "受理", "en": "Accept"},
    "case_action.objection.refuse": {"zh": "不予受理", "en": "Refuse"},
    "case_action.objection.uphold": {"zh": "异议成立", "en": "Uphold"},
    "case_action.objection.dismiss": {"zh": "异议不成立", "en": "Dismiss"},
    "case_action.objection.withdraw": {"zh": "撤回异议", "en": "Withdraw"},
    "case_action.repair.file": {"zh": "申请信用修复", "en": "Application filed"},
    "case_action.repair.accept": {"zh": "受理", "en": "Accept"},
    "case_action.repair.approve": {"zh": "准予修复", "en": "Approve the repair"},
    "case_action.repair.approve_temporary": {"zh": "准予临时修复", "en": "Approve a temporary repair"},
    "case_action.repair.confirm": {"zh": "确认修复", "en": "Confirm the repair"},
    "case_action.repair.revoke": {"zh": "撤销临时修复", "en": "Revoke the temporary repair"},
    "case_action.repair.refuse": {"zh": "不予修复", "en": "Refuse"},
    "case_action.repair.refuse_ineligible": {
        "zh": "系统核验：不符合修复条件",
        "en": "Refused by the platform: not eligible",
    },
    "case_action.repair.withdraw": {"zh": "撤回申请", "en": "Withdraw"},
    "case_action.commitment.file": {"zh": "签署承诺", "en": "Commitment signed"},
    "case_action.commitment.fulfil": {"zh": "确认已践诺", "en": "Confirm fulfilled"},
    "case_action.commitment.breach": {"zh": "认定违诺", "en": "Declare breached"},
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
