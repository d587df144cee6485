"""Generated messages for the demo, written from the case catalogue's own words (each sub-class's
name and filing standard) in the voices of a grid worker's patrol note and a resident's request.
Nothing here is a real message: it is text the project may ship, so that the demo's cases read
like cases and the demo intake model has something to learn from on any machine. Pure: no Django.
"""

import random
import re
from dataclasses import dataclass

PLACES = (
    "小区门口",
    "楼下",
    "路口",
    "胡同口",
    "公交站旁",
    "菜市场边上",
    "学校附近",
    "小区南门",
    "停车场",
    "主路辅路上",
    "公园东门",
    "地铁站出口",
)
SINCE = ("这两天", "最近一周", "已经半个多月了", "今天早上", "每天晚上", "好几天了", "从上个月起")
ASKS = (
    "希望有关部门尽快处理",
    "请帮忙协调解决",
    "麻烦尽快派人来看看",
    "希望给个答复",
    "请相关部门核实处理",
    "盼早日解决",
)
OPENINGS = ("您好，", "你好，", "", "", "我想反映一个问题，", "打扰一下，")
PATROL_ENDINGS = ("已拍照上报", "现场已告知相关人员", "需相关部门处置", "请派遣处置")
# a request that names no problem at all: what a model cannot place, and a person must
VAGUE = (
    "我想反映一个问题，上次打电话说了到现在也没人管，请你们再看看",
    "之前反映的事情一直没有结果，希望给个说法",
    "请问这个事情到底归哪个部门管，我问了好几个地方都说不归他们",
    "我家这边的情况很复杂，电话里说不清楚，希望有人上门了解一下",
)


@dataclass(frozen=True)
class SubClass:
    code: str
    name: str
    filing_standard: str
    major: str  # the major class's name (for a 12345 request: its domain)


def problems(sub: SubClass) -> list[str]:
    """The concrete problems a filing standard lists: its first sentence, split at its
    alternatives (、 / 或者 / 和), each a phrase a person could write."""
    head = re.split(r"[，。；（]", sub.filing_standard.removeprefix("反映"))[0]
    head = head.removesuffix("等问题")
    parts = [p for p in re.split(r"、|或者|以及|和", head) if len(p) >= 2]
    # a bare alternative ("破损") gets its subject back ("污水井盖破损")
    parts = [p if len(p) > 4 or sub.name[:2] in p else f"{sub.name}{p}" for p in parts]
    return [head, *parts] if len(parts) > 1 else [head]


def patrol_note(rng: random.Random, sub: SubClass, place: str) -> str:
    """A grid worker's note: where, what the catalogue calls it, what was seen."""
    seen = rng.choice(problems(sub))
    return f"巡查发现{place}{rng.choice(PLACES)}{sub.name}：{seen}，{rng.choice(PATROL_ENDINGS)}。"


def resident_message(rng: random.Random, sub: SubClass, place: str = "") -> str:
    """A resident's request in everyday words: an opening, where, what, since when, an ask.
    About one in three name the sub-class itself; the rest only describe it."""
    seen = rng.choice(problems(sub))
    where = f"{place}{rng.choice(PLACES)}" if place else rng.choice(PLACES)
    what = f"{sub.name}的问题，{seen}" if rng.random() < 0.35 else seen
    return f"{rng.choice(OPENINGS)}{rng.choice(SINCE)}{where}{what}，{rng.choice(ASKS)}。"


def vague_message(rng: random.Random, place: str = "") -> str:
    return f"{rng.choice(OPENINGS)}{place}{rng.choice(VAGUE)}。"
