"""The silver schema of each municipal open dataset, and which published headers feed each column.

Column names follow the 自治体標準オープンデータセット (デジタル庁) items, written in ASCII so analysts'
SQL needs no quoting; each lists the header spellings seen in real files (the standard's own, the
older 推奨データセット layout, and common local variants). A header is matched after removing
spaces and folding full-width characters. Columns are typed as ``text`` (kept as written, stripped),
``number`` (``jpvalues.parse_number``), ``date`` (ISO, 和暦 read), ``phone`` (text plus a
normalised form), ``text_yen`` (text plus ``<column>_yen`` and ``<column>_yen_flag``) or ``text_date``
(text plus ``<column>_date`` and ``<column>_date_flag``, see ``miryoku.conform.companions``). The original record always stays in ``attributes``, so nothing is lost by mapping.

Adding a dataset: add it here, add ``src/miryoku/expectations/bronze.opendata_<name>_v1.json`` and
``src/miryoku/expectations/silver.opendata_<name>_v1.json``, and name it in a source's ``dataset``.
"""

from __future__ import annotations

import unicodedata

# column → (type, header aliases)
COMMON: dict[str, tuple[str, list[str]]] = {
    "record_id": ("text", ["ID", "識別子", "NO", "No", "管理番号", "管理NO"]),
    "corporate_number": ("text", ["法人番号"]),
    "muni_name": ("text", ["地方公共団体名", "市区町村名", "市区町村名（漢字）", "city"]),
    "name": ("text", ["名称", "イベント名", "店舗名(日本語)", "避難所名称", "消火栓名", "施設名"]),
    "name_kana": ("text", ["名称_カナ", "イベント名_カナ", "市区町村名（カナ）", "citykana"]),
    "name_en": ("text", ["名称_英字", "名称_英語", "イベント名_英字", "イベント名_英語", "イベント名(英語)",
                         "店舗名(英語)", "消火栓名(英語)", "名称(英語)"]),
    "poi_code": ("text", ["POIコード"]),
    "address": ("text", ["住所", "所在地_連結表記", "住所表記", "所在地"]),
    "address_pref": ("text", ["所在地_都道府県"]), "address_city": ("text", ["所在地_市区町村"]),
    "address_town": ("text", ["所在地_町字"]), "address_number": ("text", ["所在地_番地以下"]),
    "address_detail": ("text", ["方書", "建物名等(方書)"]), "town_id": ("text", ["町字ID"]),
    "location_muni_code": ("text", ["所在地_全国地方公共団体コード"]),
    "lat": ("number", ["緯度", "lat"]),
    "lon": ("number", ["経度", "lng", "lon"]),
    "phone": ("phone", ["電話番号", "連絡先電話番号", "問合先電話番号", "電話1"]),
    "extension": ("text", ["内線番号", "連絡先内線番号"]),
    "email": ("text", ["連絡先メールアドレス"]), "contact_form_url": ("text", ["連絡先FormURL"]),
    "contact_note": ("text_date", ["連絡先備考(その他、SNSなど)", "連絡先備考"]),
    "postal_code": ("text", ["郵便番号"]),
    "image": ("text", ["画像", "画像URL"]), "image_license": ("text", ["画像_ライセンス"]),
    "url": ("text", ["URL", "webサイト", "ホームページアドレス", "url"]),
    "note": ("text_date", ["備考"]),
}
# muni_code sources: header → how to read it ("code" 5/6 digits or LOD URI, "unpadded", "pref")
MUNI_CODE_COLUMNS: dict[str, str] = {
    "全国地方公共団体コード": "code", "都道府県コード又は市区町村コード": "code", "団体コード": "code",
    "市区町村コード": "code", "自治体コード": "code", "標準地域コード": "code", "cid": "unpadded", "pid": "pref",
}

DATASETS: dict[str, dict[str, tuple[str, list[str]]]] = {
    "tourism": {  # 観光施設一覧
        "category": ("text", ["分類", "種別", "種類"]), "purpose": ("text", ["目的"]),
        "description": ("text", ["説明"]), "description_en": ("text", ["説明_英字", "説明_英語"]),
        "open_days": ("text", ["利用可能曜日"]), "start_time": ("text", ["開始時間"]),
        "end_time": ("text", ["終了時間"]), "hours_note": ("text_date", ["利用可能日時特記事項"]),
        "fee": ("text_yen", ["料金（基本）", "料金(基本)"]), "fee_detail": ("text_yen", ["料金（詳細）", "料金(詳細)"]),
        "access": ("text", ["アクセス方法"]), "parking": ("text", ["駐車場情報"]),
        "barrier_free": ("text", ["バリアフリー情報"]), "contact_name": ("text", ["連絡先名称"]),
        "image": ("text", ["画像", "画像URL", "_col15"]),  # 半田市's file names the image column nowhere
    },
    "events": {  # イベント一覧
        "category": ("text", ["カテゴリ", "カテゴリー"]), "start_date": ("date", ["開始日"]),
        "end_date": ("date", ["終了日"]), "start_time": ("text", ["開始時間", "イベント開始時刻"]),
        "end_time": ("text", ["終了時間", "イベント終了時刻"]), "schedule": ("text", ["イベントスケジュールについて"]),
        "venue": ("text", ["場所名称", "開催場所施設名", "開催場所について"]), "organizer": ("text", ["主催者"]),
        "description": ("text", ["説明", "イベント説明"]),
        "description_en": ("text", ["説明_英字", "説明_英語", "イベント説明(英語)"]),
        "schedule_note": ("text_date", ["開始日時特記事項"]),
        "fee": ("text_yen", ["料金(基本)", "料金（基本）", "利用料金"]), "fee_detail": ("text_yen", ["料金（詳細）", "料金(詳細)"]),
        "contact_name": ("text", ["連絡先名称", "問合先"]), "access": ("text", ["アクセス方法"]),
        "parking": ("text", ["駐車場情報", "駐車場有無"]), "capacity": ("text", ["定員"]),
        "audience": ("text", ["対象者", "対象地区"]), "apply_start_date": ("date", ["申込開始日"]),
        "apply_end_date": ("date", ["申込終了日"]), "apply_method": ("text", ["申込方法"]),
        "updated_at": ("text", ["情報変更日時", "更新日"]), "created_at": ("text", ["情報作成日時", "登録日"]),
    },
    "wifi": {  # 公衆無線LANアクセスポイント一覧
        "installer": ("text", ["設置者"]), "ssid": ("text", ["SSID"]), "coverage": ("text", ["提供エリア"]),
    },
    "aed": {  # AED設置箇所一覧
        "location_detail": ("text", ["設置位置"]), "open_days": ("text", ["利用可能曜日"]),
        "start_time": ("text", ["開始時間"]), "end_time": ("text", ["終了時間"]),
        "hours_note": ("text_date", ["利用可能日時特記事項"]), "pediatric": ("text", ["小児対応設備の有無"]),
        "pads": ("text", ["パッド・キーの有無"]), "operator": ("text", ["団体名", "設置事業者"]),
    },
    "shelters": {  # 指定避難所一覧
        "ward": ("text", ["区"]), "capacity": ("number", ["収容可能人員（屋内）", "想定収容人数", "収容人数"]),
        "site_area_m2": ("number", ["敷地面積_m2"]),
    },
    "shops": {  # 店舗
        "category": ("text", ["カテゴリー", "カテゴリ"]), "hours": ("text", ["営業時間"]),
        "closed_days": ("text", ["定休日"]), "description": ("text", ["説明(日本語)", "説明"]),
        "description_en": ("text", ["説明(英語)", "説明_英字"]),
    },
    "fire_hydrants": {  # 消火栓・防火水槽
        "kind": ("text", ["消火栓分類"]), "brigade": ("text", ["消防団"]),
        "pipe_mm": ("number", ["配水管口径(mm)"]), "volume_t": ("number", ["貯水量(t)"]),
    },
    "covid19_patients": {  # 新型コロナウイルス陽性患者発表詳細
        "announced_date": ("date", ["公表_年月日"]), "residence": ("text", ["患者_居住地"]),
        "age_group": ("text", ["患者_年代"]), "sex": ("text", ["患者_性別"]),
        "discharged": ("text", ["退院済フラグ"]),
    },
    "municipalities": {  # 全国地方公共団体コード master
        "pref_name": ("text", ["都道府県名（漢字）", "pref"]), "pref_kana": ("text", ["都道府県名（カナ）"]),
        "slogan": ("text", ["phrase"]),
    },
    "prefectures": {"pref_name": ("text", ["pref"])},
    "postal_codes": {  # 日本郵便 郵便番号データ (no header: columns named in the source's configuration)
        "postal_code": ("text", ["郵便番号"]), "pref_name": ("text", ["都道府県名"]), "town": ("text", ["町域名"]),
        "town_kana": ("text", ["町域名カナ"]),
    },
}


def fold(header: str) -> str:
    return unicodedata.normalize("NFKC", header).replace(" ", "").replace("\u3000", "").lower()


def columns_of(dataset: str) -> dict[str, tuple[str, list[str]]]:
    return {**COMMON, **DATASETS[dataset]}


def match_columns(dataset: str, headers: list[str]) -> dict[str, str]:
    """silver column → the file's header that feeds it (first alias present wins)."""
    present = {fold(h): h for h in headers}
    found: dict[str, str] = {}
    for column, (_, aliases) in columns_of(dataset).items():
        for alias in aliases:
            if fold(alias) in present:
                found[column] = present[fold(alias)]
                break
    return found


def muni_code_column(headers: list[str]) -> tuple[str, str] | None:
    """(header, how to read it) of the column holding the municipality code, if any."""
    present = {fold(h): h for h in headers}
    for alias, mode in MUNI_CODE_COLUMNS.items():
        if fold(alias) in present:
            return present[fold(alias)], mode
    return None
