"""Locale-specific vocabularies for the synthetic world.

Faker is used only to build *pools* (a few thousand names, streets, user names) once per world;
numpy then samples rows from the pools. Every other piece of text (cities, products, ticket and
survey templates) is a fixed bilingual table here, so the two locales describe the same world.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from faker import Faker

__all__ = ["LOCALES", "Pools", "build_pools", "CITIES", "BRAND"]

LOCALES: tuple[str, ...] = ("zh_CN", "en_US")

BRAND = {"zh_CN": "云溪茶生活", "en_US": "Yunxi Tea & Living"}

# (zh name, English name, zh province, English province, tier, population weight, has stores)
CITIES: tuple[tuple[str, str, str, str, int, float, bool], ...] = (
    ("上海", "Shanghai", "上海", "Shanghai", 1, 9.0, True),
    ("北京", "Beijing", "北京", "Beijing", 1, 8.5, True),
    ("广州", "Guangzhou", "广东", "Guangdong", 1, 7.0, True),
    ("深圳", "Shenzhen", "广东", "Guangdong", 1, 7.0, True),
    ("杭州", "Hangzhou", "浙江", "Zhejiang", 2, 6.0, True),
    ("成都", "Chengdu", "四川", "Sichuan", 2, 5.5, True),
    ("南京", "Nanjing", "江苏", "Jiangsu", 2, 4.5, True),
    ("武汉", "Wuhan", "湖北", "Hubei", 2, 4.5, True),
    ("苏州", "Suzhou", "江苏", "Jiangsu", 2, 4.0, True),
    ("西安", "Xi'an", "陕西", "Shaanxi", 2, 3.5, True),
    ("重庆", "Chongqing", "重庆", "Chongqing", 2, 4.0, True),
    ("长沙", "Changsha", "湖南", "Hunan", 2, 3.0, True),
    ("天津", "Tianjin", "天津", "Tianjin", 2, 3.0, False),
    ("厦门", "Xiamen", "福建", "Fujian", 2, 2.5, True),
    ("青岛", "Qingdao", "山东", "Shandong", 2, 2.5, True),
    ("宁波", "Ningbo", "浙江", "Zhejiang", 2, 2.5, True),
    ("郑州", "Zhengzhou", "河南", "Henan", 2, 2.5, False),
    ("合肥", "Hefei", "安徽", "Anhui", 2, 2.0, False),
    ("福州", "Fuzhou", "福建", "Fujian", 2, 2.0, True),
    ("昆明", "Kunming", "云南", "Yunnan", 2, 2.0, False),
    ("无锡", "Wuxi", "江苏", "Jiangsu", 3, 1.5, False),
    ("佛山", "Foshan", "广东", "Guangdong", 3, 1.5, True),
    ("东莞", "Dongguan", "广东", "Guangdong", 3, 1.5, False),
    ("泉州", "Quanzhou", "福建", "Fujian", 3, 1.2, False),
    ("温州", "Wenzhou", "浙江", "Zhejiang", 3, 1.2, False),
    ("绍兴", "Shaoxing", "浙江", "Zhejiang", 3, 1.0, False),
    ("南宁", "Nanning", "广西", "Guangxi", 3, 1.0, False),
    ("贵阳", "Guiyang", "贵州", "Guizhou", 3, 1.0, False),
    ("洛阳", "Luoyang", "河南", "Henan", 3, 0.8, False),
    ("桂林", "Guilin", "广西", "Guangxi", 3, 0.8, False),
    ("黄山", "Huangshan", "安徽", "Anhui", 3, 0.6, False),
    ("普洱", "Pu'er", "云南", "Yunnan", 3, 0.5, False),
)

# Product catalogue skeleton: (category, subcategory, zh stem, en stem, price range CNY, unit-cost share)
PRODUCT_STEMS: tuple[tuple[str, str, str, str, tuple[float, float], float], ...] = (
    ("tea", "green", "明前龙井", "Pre-Qingming Longjing", (88, 398), 0.38),
    ("tea", "green", "碧螺春", "Biluochun Green", (68, 268), 0.40),
    ("tea", "green", "黄山毛峰", "Huangshan Maofeng", (58, 228), 0.40),
    ("tea", "oolong", "铁观音", "Tieguanyin Oolong", (78, 328), 0.38),
    ("tea", "oolong", "大红袍", "Da Hong Pao Rock Oolong", (98, 498), 0.36),
    ("tea", "oolong", "凤凰单丛", "Phoenix Dancong", (88, 368), 0.38),
    ("tea", "black", "正山小种", "Lapsang Souchong", (68, 268), 0.40),
    ("tea", "black", "滇红", "Dianhong Black", (58, 198), 0.42),
    ("tea", "puer", "普洱熟茶饼", "Ripe Pu'er Cake", (98, 598), 0.35),
    ("tea", "puer", "普洱生茶饼", "Raw Pu'er Cake", (128, 798), 0.33),
    ("tea", "white", "白毫银针", "Silver Needle White", (128, 568), 0.36),
    ("tea", "white", "寿眉", "Shoumei White", (48, 168), 0.42),
    ("tea", "herbal", "桂花乌龙冷泡", "Osmanthus Oolong Cold Brew", (29, 69), 0.45),
    ("tea", "herbal", "菊花枸杞茶", "Chrysanthemum Goji Blend", (25, 59), 0.45),
    ("teaware", "cup", "玻璃品茗杯", "Glass Tasting Cup", (29, 89), 0.35),
    ("teaware", "pot", "紫砂壶", "Yixing Clay Teapot", (168, 888), 0.30),
    ("teaware", "pot", "白瓷盖碗", "Porcelain Gaiwan", (59, 199), 0.32),
    ("teaware", "set", "便携旅行茶具", "Travel Tea Set", (129, 329), 0.34),
    ("teaware", "set", "功夫茶具套装", "Gongfu Tea Set", (199, 699), 0.32),
    ("snack", "pastry", "抹茶酥", "Matcha Pastry", (19, 49), 0.50),
    ("snack", "pastry", "绿豆糕", "Mung Bean Cake", (15, 39), 0.50),
    ("snack", "nuts", "茶香坚果", "Tea-Roasted Nuts", (25, 69), 0.48),
    ("gift", "festival", "中秋月饼礼盒", "Mid-Autumn Mooncake Gift Box", (168, 498), 0.42),
    ("gift", "festival", "新春茶礼", "Spring Festival Tea Gift", (198, 898), 0.40),
    ("gift", "business", "商务茶礼盒", "Business Tea Gift Box", (298, 1288), 0.38),
    ("lifestyle", "home", "茶香香薰", "Tea-Scented Diffuser", (59, 199), 0.30),
    ("lifestyle", "home", "竹编茶席", "Bamboo Tea Mat", (39, 129), 0.35),
)
VARIANTS = {
    "zh_CN": ("经典款", "特级", "一级", "礼盒装", "罐装", "袋装", "限定版", "旅行装"),
    "en_US": ("Classic", "Premium", "Grade I", "Gift Edition", "Tin", "Pouch", "Limited Edition", "Travel Size"),
}
ORIGINS = ("Zhejiang", "Fujian", "Yunnan", "Anhui", "Jiangsu", "Guangdong", "Hunan")
FLAVOURS = ("floral", "roasted", "fresh", "fruity", "earthy", "sweet", "smoky")

TICKET_TEMPLATES = {
    "zh_CN": {
        "logistics": ("我的订单{n}天了还没到", "快递显示已签收但我没收到", "物流一直不更新", "能不能帮我催一下发货"),
        "refund": ("申请退款一直没处理", "退款什么时候到账", "我想退货退款", "优惠券退款没有返还"),
        "quality": ("收到的茶叶有受潮结块", "茶具有裂纹", "包装破损了", "味道和上次买的不一样"),
        "account": ("会员积分不见了", "手机号换了怎么改绑", "小程序登录不上", "会员等级没有升级"),
        "payment": ("付款扣了两次钱", "支付一直失败", "优惠券用不了", "付款后订单显示未支付"),
        "product_question": ("这款茶怎么冲泡", "孕妇可以喝吗", "保质期是多久", "有没有适合送长辈的礼盒"),
    },
    "en_US": {
        "logistics": ("my order has not arrived after {n} days", "tracking says delivered but I never got it",
                      "the tracking has not updated", "can you hurry up the shipment"),
        "refund": ("my refund request is still pending", "when will the refund reach my account",
                   "I want to return this and get a refund", "the coupon was not returned after the refund"),
        "quality": ("the tea arrived damp and clumped", "the teacup has a crack", "the package was damaged",
                    "it tastes different from last time"),
        "account": ("my member points disappeared", "how do I change the phone number on my account",
                    "I cannot log in to the mini-program", "my member level did not upgrade"),
        "payment": ("I was charged twice", "the payment keeps failing", "the coupon does not work at checkout",
                    "the order says unpaid after I paid"),
        "product_question": ("how should I brew this tea", "is it fine during pregnancy",
                             "what is the shelf life", "which gift box suits my parents"),
    },
}
TICKET_NOISE = {
    "zh_CN": ("", "", "谢谢", "麻烦尽快处理", "急", "请回复", "已经问过一次了", "在线等"),
    "en_US": ("", "", "thanks", "please help asap", "urgent", "please reply", "I asked before", "waiting online"),
}
SURVEY_COMMENTS = {
    "zh_CN": {
        "neg": ("等太久了", "客服态度一般", "物流太慢", "包装不太好", "下次不会再买了"),
        "neu": ("还可以", "中规中矩", "价格有点高", "和预期差不多", "一般般"),
        "pos": ("茶很好喝", "服务很贴心", "发货很快", "包装精美送人很合适", "会推荐给朋友"),
    },
    "en_US": {
        "neg": ("waited far too long", "the agent was unhelpful", "delivery was slow", "poor packaging",
                "will not buy again"),
        "neu": ("it was fine", "nothing special", "a bit pricey", "about what I expected", "okay"),
        "pos": ("lovely tea", "very caring service", "fast delivery", "beautiful gift packaging",
                "will recommend to friends"),
    },
}
CAMPAIGN_NAMES = {
    "zh_CN": {"welcome": "新会员欢迎礼", "activation": "首单激活", "winback": "老客召回", "coupon_push": "优惠券推送",
              "festival_618": "618年中大促", "double11": "双11狂欢", "birthday": "会员生日礼"},
    "en_US": {"welcome": "New member welcome", "activation": "First-order activation", "winback": "Win-back",
              "coupon_push": "Coupon push", "festival_618": "618 mid-year sale", "double11": "Double 11 sale",
              "birthday": "Member birthday gift"},
}
SEGMENT_TEXT = {
    "zh_CN": {"new_signups": "新注册会员", "not_activated_day3": "注册3天内未下单", "birthday_month": "当月生日会员",
              "buyers": "所有已购客户（已同意营销）", "buyers_all": "所有已购客户（App推送，无需营销同意）",
              "lapsed": "120-365天未购的流失客户", "active_180d": "近180天有购买",
              "active_180d_all": "近180天有购买（App推送，无需营销同意）"},
    "en_US": {"new_signups": "new members", "not_activated_day3": "no order 3 days after sign-up",
              "birthday_month": "members in their birthday month", "buyers": "all past buyers (consented)",
              "buyers_all": "all past buyers (app push, no consent needed)", "lapsed": "lapsed 120-365 days",
              "active_180d": "ordered in last 180 days",
              "active_180d_all": "ordered in last 180 days (app push, no consent needed)"},
}
EMAIL_DOMAINS = {
    "zh_CN": ("qq.com", "163.com", "126.com", "sina.com", "foxmail.com", "gmail.com"),
    "en_US": ("gmail.com", "outlook.com", "yahoo.com", "icloud.com", "hotmail.com", "proton.me"),
}


@dataclass(frozen=True)
class Pools:
    """Pools of generated text for one locale, sampled by index with numpy."""

    locale: str
    names: np.ndarray
    streets: np.ndarray
    user_names: np.ndarray
    name_chars: np.ndarray
    agent_names: np.ndarray


def build_pools(locale: str, seed: int, *, n_names: int = 4000, n_streets: int = 3000) -> Pools:
    """Build the Faker pools for ``locale`` with ``Faker.seed_instance(seed)``."""
    fake = Faker(locale)
    fake.seed_instance(seed)
    names = np.array([fake.name() for _ in range(n_names)], dtype=object)
    streets = np.array([fake.street_address() for _ in range(n_streets)], dtype=object)
    user_names = np.array([fake.user_name() for _ in range(n_names)], dtype=object)
    agents = np.array([fake.name() for _ in range(120)], dtype=object)
    if locale == "zh_CN":
        chars = sorted({ch for n in names for ch in n[1:]})
    else:
        chars = list("abcdefghijklmnopqrstuvwxyz")
    return Pools(locale, names, streets, user_names, np.array(chars, dtype=object), agents)
