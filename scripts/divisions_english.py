"""Writes the English name of every division of the division tables (src/xinyong/reference/data/
divisions-*.csv) to divisions-en.csv beside them. Provinces take their standard English names (typed below);
cities and counties the Hanyu Pinyin of their proper name, written per GB/T 16159 (syllables joined, first
letter capital, an apostrophe before a syllable that opens with a, o or e: Xi'an), then the English of their
administrative suffix (宁波市 Ningbo City, 海曙区 Haishu District, 莘县 Shenxian County). Ethnic groups of
autonomous areas are named in English (Qiandongnan Miao and Dong Autonomous Prefecture); development zones
word by word (Hefei Economic and Technological Development Zone).

Pinyin comes from pypinyin, which the platform does not depend on: run this once whenever the tables
change, in an environment of its own, and commit what it writes:

    python3 -m venv /tmp/pinyin && /tmp/pinyin/bin/pip install pypinyin==0.55.0
    /tmp/pinyin/bin/python scripts/divisions_english.py

It fails, naming the division, when a name has no suffix it knows or a province no English name."""

from __future__ import annotations

import csv
import io
import re
import sys
from pathlib import Path

from pypinyin import Style, lazy_pinyin

DATA = Path(__file__).resolve().parent.parent / "src" / "xinyong" / "reference" / "data"
OUT = DATA / "divisions-en.csv"

PROVINCES = {
    "北京市": "Beijing Municipality",
    "天津市": "Tianjin Municipality",
    "河北省": "Hebei Province",
    "山西省": "Shanxi Province",
    "内蒙古自治区": "Inner Mongolia Autonomous Region",
    "辽宁省": "Liaoning Province",
    "吉林省": "Jilin Province",
    "黑龙江省": "Heilongjiang Province",
    "上海市": "Shanghai Municipality",
    "江苏省": "Jiangsu Province",
    "浙江省": "Zhejiang Province",
    "安徽省": "Anhui Province",
    "福建省": "Fujian Province",
    "江西省": "Jiangxi Province",
    "山东省": "Shandong Province",
    "河南省": "Henan Province",
    "湖北省": "Hubei Province",
    "湖南省": "Hunan Province",
    "广东省": "Guangdong Province",
    "广西壮族自治区": "Guangxi Zhuang Autonomous Region",
    "海南省": "Hainan Province",
    "重庆市": "Chongqing Municipality",
    "四川省": "Sichuan Province",
    "贵州省": "Guizhou Province",
    "云南省": "Yunnan Province",
    "西藏自治区": "Xizang Autonomous Region",
    "陕西省": "Shaanxi Province",  # the double a keeps it apart from 山西 Shanxi
    "甘肃省": "Gansu Province",
    "青海省": "Qinghai Province",
    "宁夏回族自治区": "Ningxia Hui Autonomous Region",
    "新疆维吾尔自治区": "Xinjiang Uygur Autonomous Region",
    "台湾省": "Taiwan Province",
    "香港特别行政区": "Hong Kong SAR",
    "澳门特别行政区": "Macao SAR",
}
# A province's short form, as a development zone's name opens with it (河北唐山芦台经济开发区).
PROVINCE_SHORT = {"内蒙古": "Inner Mongolia", "西藏": "Xizang", "陕西": "Shaanxi"}

# Whole names the rules below would get wrong or that have a name of their own.
NAMES = {
    "市辖区": "City districts",
    "县": "Counties",
    "省直辖县级行政区划": "County-level divisions administered by the province",
    "自治区直辖县级行政区划": "County-level divisions administered by the autonomous region",
    "兴安盟": "Hinggan League",  # not 兴安县 of Guangxi, Xing'an County
    "大兴安岭地区": "Da Hinggan Ling Prefecture",
    "清新区": "Qingxin District",  # 清新 + 区, not a new area (新区)
    "神农架林区": "Shennongjia Forestry District",
    "六枝特区": "Liuzhi Special District",
    "矿区": "Kuangqu District",
    "白云鄂博矿区": "Bayan Obo Mining District",
    "苏州工业园区": "Suzhou Industrial Park",
    "郑州航空港经济综合实验区": "Zhengzhou Airport Economy Zone",
    "中新苏滁高新技术产业开发区": "China-Singapore Suchu High-tech Industrial Development Zone",
    "长春汽车经济技术开发区": "Changchun Automobile Economic and Technological Development Zone",
    "包头稀土高新技术产业开发区": "Baotou Rare Earth High-tech Industrial Development Zone",
    "威海火炬高技术产业开发区": "Weihai Torch High-tech Industrial Development Zone",
    "东营港经济开发区": "Dongying Port Economic Development Zone",
    "山西转型综合改革示范区": "Shanxi Transformation and Comprehensive Reform Demonstration Zone",
    "格尔木藏青工业园区": "Golmud Xizang-Qinghai Industrial Park",
    "中沙群岛的岛礁及其海域": "Islands, Reefs and Waters of the Zhongsha Islands",
    "吉林中国新加坡食品区": "Jilin China-Singapore Food Zone",
    "乌拉盖管理区管委会": "Wulagai Administrative Area Management Committee",
    "喀喇沁左翼蒙古族自治县": "Harqin Left Wing Mongol Autonomous County",
    "莫力达瓦达斡尔族自治旗": "Morin Dawa Daur Autonomous Banner",
}

# How a character reads in place names where pypinyin, lacking the name as a phrase, reads it otherwise
# (长治 Changzhi, not Zhangzhi; 望都 Wangdu; 漯河 Luohe); the names that read it otherwise still are in
# PROPER (长子 Zhangzi, 乐清 Yueqing).
READINGS = {
    "长": "chang",
    "都": "du",
    "乐": "le",
    "勒": "le",
    "朝": "chao",
    "蚌": "beng",
    "柏": "bai",
    "佛": "fo",
    "尾": "wei",
    "漯": "luo",
    "卡": "ka",
    "圩": "xu",
    "泊": "bo",
    "覃": "qin",
    "曾": "zeng",
    "伽": "jia",
    "什": "shi",
}

# Proper names read otherwise than pypinyin reads them: polyphonic characters of place names, and names
# from Mongolian, Tibetan, Uygur and other languages under the romanization their areas use officially.
PROPER = {
    # polyphonic characters
    "六安": "Lu'an",
    "六合": "Luhe",
    "六枝": "Liuzhi",
    "乐清": "Yueqing",
    "乐亭": "Laoting",
    "乐陵": "Laoling",
    "长子": "Zhangzi",
    "单": "Shan",
    "莘": "Shen",
    "蔚": "Yu",
    "尉犁": "Yuli",
    "铅山": "Yanshan",
    "番禺": "Panyu",
    "大埔": "Dabu",
    "荥阳": "Xingyang",
    "荥经": "Yingjing",
    "洪洞": "Hongtong",
    "犍为": "Qianwei",
    "筠连": "Junlian",
    "歙": "She",
    "浚": "Xun",
    "涡阳": "Guoyang",
    "枞阳": "Zongyang",
    "会理": "Huili",
    "会泽": "Huize",
    "会同": "Huitong",
    "会昌": "Huichang",
    "什邡": "Shifang",
    "阆中": "Langzhong",
    "秭归": "Zigui",
    "黄陂": "Huangpi",
    "郫都": "Pidu",
    "牟平": "Muping",
    "栖霞": "Qixia",
    "东阿": "Dong'e",
    "临朐": "Linqu",
    "茌平": "Chiping",
    "曲阜": "Qufu",
    "曲沃": "Quwo",
    "繁峙": "Fanshi",
    "岢岚": "Kelan",
    "井陉": "Jingxing",
    "柏乡": "Baixiang",
    "蠡": "Li",
    "藁城": "Gaocheng",
    "大冶": "Daye",
    "都昌": "Duchang",
    "都安": "Du'an",
    "都江堰": "Dujiangyan",
    "宿州": "Suzhou",
    "宿迁": "Suqian",
    "宿松": "Susong",
    "宿城": "Sucheng",
    "长汀": "Changting",
    "长乐": "Changle",
    "朝阳": "Chaoyang",
    "朝天": "Chaotian",
    "厦门": "Xiamen",
    "重庆": "Chongqing",
    "蚌埠": "Bengbu",
    "东莞": "Dongguan",
    "台州": "Taizhou",
    "丽水": "Lishui",
    "济南": "Jinan",
    "睢宁": "Suining",
    "睢县": "Suixian",
    "睢阳": "Suiyang",
    "濉溪": "Suixi",
    "亳州": "Bozhou",
    "泌阳": "Biyang",
    "郏": "Jia",
    "渑池": "Mianchi",
    "莒": "Ju",
    "郓城": "Yuncheng",
    "鄄城": "Juancheng",
    "兖州": "Yanzhou",
    "峄城": "Yicheng",
    "闵行": "Minhang",
    "穆棱": "Muling",
    "丹棱": "Danling",
    # romanized from the area's own language
    "哈尔滨": "Harbin",
    "齐齐哈尔": "Qiqihar",
    "和林格尔": "Horinger",
    "托克托": "Togtoh",
    "土默特": "Tumed",
    "达尔罕茂明安联合": "Darhan Muminggan United",
    "阿鲁科尔沁": "Ar Horqin",
    "科尔沁": "Horqin",
    "巴林": "Bairin",
    "克什克腾": "Hexigten",
    "翁牛特": "Ongniud",
    "喀喇沁": "Harqin",
    "库伦": "Hure",
    "扎鲁特": "Jarud",
    "达拉特": "Dalad",
    "准格尔": "Jungar",
    "鄂托克": "Otog",
    "杭锦": "Hanggin",
    "乌审": "Uxin",
    "伊金霍洛": "Ejin Horo",
    "阿荣": "Arun",
    "陈巴尔虎": "Old Barag",
    "新巴尔虎": "New Barag",
    "乌拉特": "Urad",
    "察哈尔": "Chahar",
    "扎赉特": "Jalaid",
    "阿巴嘎": "Abag",
    "苏尼特": "Sonid",
    "东乌珠穆沁": "East Ujimqin",
    "西乌珠穆沁": "West Ujimqin",
    "太仆寺": "Taibus",
    "牙克石": "Yakeshi",
    "扎赉诺尔": "Jalainur",
    "梅里斯": "Meilisi",
    "呼和浩特": "Hohhot",
    "鄂尔多斯": "Ordos",
    "呼伦贝尔": "Hulunbuir",
    "巴彦淖尔": "Bayannur",
    "乌兰察布": "Ulanqab",
    "锡林郭勒": "Xilingol",
    "阿拉善": "Alxa",
    "海拉尔": "Hailar",
    "二连浩特": "Erenhot",
    "锡林浩特": "Xilinhot",
    "乌兰浩特": "Ulanhot",
    "额尔古纳": "Ergun",
    "阿尔山": "Arxan",
    "霍林郭勒": "Holingol",
    "鄂伦春": "Oroqen",
    "鄂温克": "Evenki",
    "前郭尔罗斯": "Qian Gorlos",
    "杜尔伯特": "Dorbod",
    "拉萨": "Lhasa",
    "日喀则": "Shigatse",
    "昌都": "Qamdo",
    "林芝": "Nyingchi",
    "那曲": "Nagqu",
    "阿里": "Ngari",
    "格尔木": "Golmud",
    "果洛": "Golog",
    "甘孜": "Garze",
    "阿坝": "Ngawa",
    "乌鲁木齐": "Urumqi",
    "克拉玛依": "Karamay",
    "吐鲁番": "Turpan",
    "博尔塔拉": "Bortala",
    "巴音郭楞": "Bayingolin",
    "阿克苏": "Aksu",
    "克孜勒苏": "Kizilsu",
    "喀什": "Kashgar",
    "和田": "Hotan",
    "伊犁": "Ili",
    "阿勒泰": "Altay",
    "库尔勒": "Korla",
    "阿图什": "Artux",
    "奎屯": "Kuytun",
    "霍尔果斯": "Horgos",
    "塔什库尔干": "Taxkorgan",
    "察布查尔": "Qapqal",
    "和布克赛尔": "Hoboksar",
    "巴里坤": "Barkol",
    "木垒": "Mori",
    "阿拉尔": "Aral",
    "图木舒克": "Tumxuk",
    "可克达拉": "Kokdala",
}

ETHNIC = {
    "蒙古": "Mongol",
    "回": "Hui",
    "藏": "Tibetan",
    "维吾尔": "Uygur",
    "苗": "Miao",
    "彝": "Yi",
    "壮": "Zhuang",
    "布依": "Bouyei",
    "朝鲜": "Korean",
    "满": "Manchu",
    "侗": "Dong",
    "瑶": "Yao",
    "白": "Bai",
    "土家": "Tujia",
    "哈尼": "Hani",
    "哈萨克": "Kazak",
    "傣": "Dai",
    "黎": "Li",
    "傈僳": "Lisu",
    "佤": "Va",
    "畲": "She",
    "拉祜": "Lahu",
    "水": "Shui",
    "东乡": "Dongxiang",
    "纳西": "Naxi",
    "景颇": "Jingpo",
    "柯尔克孜": "Kirgiz",
    "土": "Tu",
    "达斡尔": "Daur",
    "仫佬": "Mulao",
    "羌": "Qiang",
    "布朗": "Blang",
    "撒拉": "Salar",
    "毛南": "Maonan",
    "仡佬": "Gelao",
    "锡伯": "Xibe",
    "普米": "Pumi",
    "塔吉克": "Tajik",
    "怒": "Nu",
    "鄂温克": "Evenki",
    "保安": "Bonan",
    "裕固": "Yugur",
    "独龙": "Derung",
    "鄂伦春": "Oroqen",
    "各": "Various Nationalities",  # 龙胜各族自治县
}

AUTONOMOUS = {"自治州": "Autonomous Prefecture", "自治县": "Autonomous County", "自治旗": "Autonomous Banner"}
# Development zones and other functional areas, the more specific first: what the name ends with → English.
ZONES = {
    "高新技术产业开发区": "High-tech Industrial Development Zone",
    "高新技术产业园区": "High-tech Industrial Park",
    "高新技术开发区": "High-tech Development Zone",
    "经济技术开发区": "Economic and Technological Development Zone",
    "城乡一体化示范区": "Urban-Rural Integration Demonstration Zone",
    "综合物流产业聚集区": "Comprehensive Logistics Industry Cluster",
    "文化旅游创意园区": "Cultural Tourism and Creative Industry Park",
    "现代产业园区": "Modern Industrial Park",
    "循环化工园区": "Circular Chemical Industry Park",
    "经济开发区": "Economic Development Zone",
    "行政委员会": "Administrative Committee",
    "工业园区": "Industrial Park",
    "开发区": "Development Zone",
    "管理区": "Administrative Area",
    "示范区": "Demonstration Zone",
    "新区": "New Area",
    "新城": "New Town",
    "矿区": "Mining District",
    "风景名胜区": "Scenic Area",
    "群岛": "Islands",
}
# Where a banner lies among the banners of its name, as its name ends before 旗 (科尔沁左翼中旗).
POSITIONS = {
    "左翼前": "Left Wing Front",
    "左翼中": "Left Wing Middle",
    "左翼后": "Left Wing Rear",
    "右翼前": "Right Wing Front",
    "右翼中": "Right Wing Middle",
    "右翼后": "Right Wing Rear",
    "前": "Front",
    "中": "Middle",
    "后": "Rear",
    "左": "Left",
    "右": "Right",
}
SUFFIXES = {
    "地区": "Prefecture",
    "市": "City",
    "区": "District",
    "县": "County",
    "旗": "Banner",
    "盟": "League",
}


def syllables(name: str) -> list[str]:
    return lazy_pinyin(name, style=Style.NORMAL, v_to_u=True, errors=lambda text: list(text))


def romanized(proper: str, *, context: str) -> str:
    """The proper name in pinyin, one word: syllables read in the context of the whole name (pypinyin knows
    place names as phrases: 乐清市 yue qing), joined, an apostrophe before a, o or e."""
    if proper in PROPER:
        return PROPER[proper]
    read = [READINGS.get(c, s) for c, s in zip(proper, syllables(context), strict=False)]
    word = read[0] + "".join("'" + s if s[0] in "aoe" else s for s in read[1:])
    return word[0].upper() + word[1:]


def ethnic_groups(body: str) -> tuple[str, list[str]]:
    """An autonomous area's name split into its proper name and its ethnic groups (the last first)."""
    groups: list[str] = []
    names = sorted(ETHNIC, key=len, reverse=True)
    while True:
        for zh in names:
            # A group of several characters may go without 族 (鄂伦春自治旗, 伊犁哈萨克自治州).
            if body.endswith(zh + "族") or (len(zh) > 1 and body.endswith(zh)):
                body = body.removesuffix("族").removesuffix(zh)
                groups.insert(0, ETHNIC[zh])
                break
        else:
            return body, groups


def listed(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def place_words(prefix: str, places: dict[str, str]) -> list[str]:
    """A zone's name before its kind, word by word: the provinces and cities it names (市 dropped), then
    what is left, each a word of its own (河北唐山芦台 → Hebei Tangshan Lutai)."""
    words: list[str] = []
    rest = ""
    i = 0
    while i < len(prefix):
        found = next((p for p in sorted(places, key=len, reverse=True) if prefix.startswith(p, i)), None)
        if found is None:
            rest += prefix[i]
            i += 1
            continue
        if rest:
            words.append(romanized(rest, context=rest))
            rest = ""
        words.append(places[found])
        i += len(found) + (prefix.startswith("市", i + len(found)))
    if rest:
        words.append(romanized(rest, context=rest))
    return words


def english(name: str, places: dict[str, str]) -> str:
    """The English name of a city or county."""
    if name in NAMES:
        return NAMES[name]
    for zh, en in AUTONOMOUS.items():
        if name.endswith(zh):
            proper, groups = ethnic_groups(name.removesuffix(zh))
            if not groups:
                raise ValueError(f"{name}: no ethnic group found")
            head = romanized(proper, context=name) + " " if proper else ""
            return f"{head}{listed(groups)} {en}"
    if name.endswith("族区"):  # an ethnic district: 梅里斯达斡尔族区 Meilisi Daur District
        proper, groups = ethnic_groups(name.removesuffix("区"))
        return f"{romanized(proper, context=name)} {listed(groups)} District"
    if name.endswith("旗"):
        body = name.removesuffix("旗")
        for zh, en in POSITIONS.items():
            if body.endswith(zh) and len(body) > len(zh) + 1:
                proper = body.removesuffix(zh)
                return f"{romanized(proper, context=name)} {en} Banner"
    for zh, en in ZONES.items():
        if name.endswith(zh) and len(name) > len(zh):
            return " ".join([*place_words(name.removesuffix(zh), places), en])
    for zh, en in SUFFIXES.items():
        if name.endswith(zh) and len(name) > len(zh):
            proper = name.removesuffix(zh)
            # A one-syllable proper name keeps its suffix in the pinyin: 莘县 Shenxian County.
            if len(proper) == 1:
                word = romanized(proper, context=name) + syllables(name)[1]
                return f"{word} {en}"
            return f"{romanized(proper, context=name)} {en}"
    raise ValueError(f"{name}: no administrative suffix known")


def rows(name: str) -> list[dict[str, str]]:
    with (DATA / name).open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def main() -> int:
    provinces, cities, areas = (rows(f"divisions-{t}.csv") for t in ("provinces", "cities", "areas"))
    missing = [p["name"] for p in provinces if p["name"] not in PROVINCES]
    if missing:
        print("no English name for:", ", ".join(missing), file=sys.stderr)
        return 1
    places = {}  # the provinces' and cities' proper names a zone's name may open with
    for p in provinces:
        short = re.sub(r"(省|市|壮族自治区|回族自治区|维吾尔自治区|自治区)$", "", p["name"])
        places[short] = PROVINCE_SHORT.get(short) or PROVINCES[p["name"]].split(" ")[0]
    for c in cities:
        if c["name"].endswith("市") and len(c["name"]) > 2:
            proper = c["name"].removesuffix("市")
            places.setdefault(proper, romanized(proper, context=c["name"]))
    out = io.StringIO()
    out.write(
        "# English names of the divisions of divisions-provinces.csv, divisions-cities.csv and\n"
        "# divisions-areas.csv, by 6-digit code. Generated by scripts/divisions_english.py (pypinyin 0.55.0\n"
        "# and the overrides it lists): do not edit by hand, change the script and run it again.\n"
    )
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["code", "name", "name_en"])
    for p in provinces:
        writer.writerow([p["code"] + "0000", p["name"], PROVINCES[p["name"]]])
    for c in cities:
        writer.writerow([c["code"] + "00", c["name"], english(c["name"], places)])
    for a in areas:
        writer.writerow([a["code"], a["name"], english(a["name"], places)])
    OUT.write_text(out.getvalue(), encoding="utf-8")
    print(f"wrote {OUT} ({len(provinces) + len(cities) + len(areas)} divisions)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
