#!/usr/bin/env python3
"""Generates the open-data benchmark material (never committed; written to
bench/out/):

- big/: one dataset of N rows (default 1,000,000) with its passport and
  structure, in the folder layout `veche import` reads;
- datasette.db: the same rows in SQLite for Datasette, with an index on the
  filter column and on the sort column (what Datasette's docs advise);
- catalogue/: P passports (default 10,000) for catalogue-search latency.

Deterministic (fixed seed), so runs compare.
"""
import argparse, csv, json, os, random, sqlite3

MUNICIPALITIES = [
    "Краснодар", "Сочи", "Новороссийск", "Армавир", "Анапа", "Геленджик", "Горячий Ключ",
    "Абинский район", "Апшеронский район", "Белоглинский район", "Белореченский район",
    "Брюховецкий район", "Выселковский район", "Гулькевичский район", "Динской район",
    "Ейский район", "Кавказский район", "Калининский район", "Каневской район",
    "Кореновский район", "Красноармейский район", "Крыловский район", "Крымский район",
    "Курганинский район", "Кущевский район", "Лабинский район", "Ленинградский район",
    "Мостовский район", "Новокубанский район", "Новопокровский район", "Отрадненский район",
    "Павловский район", "Приморско-Ахтарский район", "Северский район", "Славянский район",
    "Староминский район", "Тбилисский район", "Темрюкский район", "Тимашевский район",
    "Тихорецкий район", "Туапсинский район", "Успенский район", "Усть-Лабинский район",
    "Щербиновский район",
]
CATEGORIES = ["дороги", "освещение", "мусор", "благоустройство", "водоснабжение", "отопление",
              "транспорт", "парки", "школы", "больницы", "спорт", "культура", "связь",
              "экология", "безопасность", "торговля", "жильё", "строительство", "газ", "прочее"]
OWNERS = [  # (organisation id, INN) from datasets/organisations.csv
    ("min-digital", "2312823003"), ("min-transport", "2312528833"), ("min-health", "2308265211"),
    ("min-education", "2312069097"), ("min-economy", "2308477248"), ("min-culture", "2308426236"),
    ("min-construction", "2309165160"), ("min-natural-resources", "2309827752"),
]
TOPICS = ["territory", "government", "economy", "transport", "housing", "construction",
          "environment", "health", "education", "culture", "social", "safety"]
WORDS = ["реестр", "перечень", "сведения", "объекты", "учреждения", "дороги", "школы", "больницы",
         "остановки", "маршруты", "парковки", "бюджет", "закупки", "гранты", "субсидии", "лицензии",
         "разрешения", "памятники", "парки", "скверы", "пляжи", "отели", "музеи", "библиотеки",
         "спортивные", "площадки", "водоёмы", "леса", "отходы", "контейнеры", "освещение", "ремонт",
         "капитальный", "муниципальный", "краевой", "сельский", "городской", "туристический"]
PUBLISHER = {"name": "Ответственный за открытые данные (бенчмарк)", "phone": "+7 (861) 000-00-00",
             "mbox": "bench@veche.example"}
STRUCTURE = [
    ("id", "Row id", "Номер", "integer"),
    ("municipality", "Municipality", "Муниципалитет", "string"),
    ("category", "Category", "Категория", "string"),
    ("title", "Title", "Наименование", "string"),
    ("amount", "Amount, RUB", "Сумма, руб.", "float"),
    ("year", "Year", "Год", "integer"),
    ("date", "Date", "Дата", "date"),
    ("lat", "Latitude", "Широта", "float"),
    ("lon", "Longitude", "Долгота", "float"),
]


def passport(identifier, owner, title, description, topic, subject):
    return {"identifier": identifier, "title": title, "description": description, "owner": owner,
            "publisher": PUBLISHER, "subject": subject, "topic": topic, "license": "cc-by-4.0"}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--passports", type=int, default=10_000)
    ap.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "out"))
    ap.add_argument("--catalogue-only", action="store_true", help="only the passports")
    a = ap.parse_args()
    rnd = random.Random(44)
    if a.catalogue_only:
        catalogue(a, rnd)
        print(f"{a.passports} passports in {a.out}/catalogue")
        return

    ident = "2312823003-bench-rows"
    big = os.path.join(a.out, "big")
    ds = os.path.join(big, "datasets", ident)
    os.makedirs(ds, exist_ok=True)
    os.makedirs(os.path.join(big, "passports"), exist_ok=True)
    with open(os.path.join(big, "passports", ident + ".json"), "w") as f:
        json.dump(passport(ident, "min-digital", "Бенчмарк: обращения и расходы",
                           "Синтетический набор для измерения производительности.", "economy",
                           "бенчмарк, синтетика"), f, ensure_ascii=False)
    with open(os.path.join(ds, "structure-20260101.csv"), "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["field name", "english description", "russian description", "format"])
        w.writerows(STRUCTURE)
    csv_path = os.path.join(ds, "data-20260101-structure-20260101.csv")
    db_path = os.path.join(a.out, "datasette.db")
    if os.path.exists(db_path):
        os.remove(db_path)
    db = sqlite3.connect(db_path)
    db.execute("create table rows (id integer primary key, municipality text, category text, title text,"
               " amount real, year integer, date text, lat real, lon real)")
    batch = []
    with open(csv_path, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow([s[0] for s in STRUCTURE])
        for i in range(1, a.rows + 1):
            m = rnd.choice(MUNICIPALITIES)
            row = (i, m, rnd.choice(CATEGORIES), f"{rnd.choice(WORDS)} {rnd.choice(WORDS)} №{i}",
                   round(rnd.uniform(1000, 5_000_000), 2), rnd.randint(2015, 2026),
                   f"{rnd.randint(2015, 2026)}-{rnd.randint(1, 12):02d}-{rnd.randint(1, 28):02d}",
                   round(rnd.uniform(43.4, 46.8), 6), round(rnd.uniform(36.7, 41.7), 6))
            w.writerow(row)
            batch.append(row)
            if len(batch) == 50_000:
                db.executemany("insert into rows values (?,?,?,?,?,?,?,?,?)", batch)
                batch = []
    db.executemany("insert into rows values (?,?,?,?,?,?,?,?,?)", batch)
    # The filter column and the sort column, as Datasette's documentation advises.
    db.execute("create index rows_municipality on rows (municipality)")
    db.execute("create index rows_amount on rows (amount)")
    db.execute("create index rows_municipality_amount on rows (municipality, amount)")
    db.commit()
    db.execute("vacuum")
    db.close()

    catalogue(a, rnd)
    print(f"{a.rows} rows in {csv_path} ({os.path.getsize(csv_path) >> 20} MB), {db_path}, {a.passports} passports")


def catalogue(a, rnd):
    cat = os.path.join(a.out, "catalogue", "passports")
    os.makedirs(cat, exist_ok=True)
    for i in range(a.passports):
        owner, inn = OWNERS[i % len(OWNERS)]
        words = rnd.sample(WORDS, 4)
        title = f"{words[0].capitalize()} {words[1]} {rnd.choice(MUNICIPALITIES)} {i}"
        description = f"Набор {i}: {' '.join(rnd.sample(WORDS, 12))}."
        with open(os.path.join(cat, f"{inn}-bench{i:05d}.json"), "w") as f:
            json.dump(passport(f"{inn}-bench{i:05d}", owner, title, description, rnd.choice(TOPICS),
                               ", ".join(words[2:])), f, ensure_ascii=False)


if __name__ == "__main__":
    main()
