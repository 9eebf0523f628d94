"""Customers for the demo data: Polish, Italian, Ukrainian and Israeli visitors with the
names, languages, phone numbers, mailbox domains, companies and car plates they really
have. Ukrainian and Hebrew names are in their own script for some people and transliterated
(as on a passport or a Polish residence card) for others."""

import random
import string
import unicodedata
from dataclasses import dataclass

import phonenumbers


@dataclass(frozen=True)
class Person:
    first_name: str
    last_name: str
    email: str
    phone: str
    language: str
    country: str  # PL, IT, UA, IL

    @property
    def companies(self) -> list[str]:
        return _COMPANIES[self.country]

    def car_plate(self, rng: random.Random) -> str:
        letters = "ABCDEFGHJKLMNPRSTUVWXYZ"
        digits = string.digits

        def pick(pool: str, n: int) -> str:
            return "".join(rng.choice(pool) for _ in range(n))

        if self.country == "PL":
            return f"{rng.choice(['WA', 'WI', 'KR', 'PO', 'GD', 'WR', 'LU'])} {pick(digits, 5)}"
        if self.country == "IT":
            return f"{pick(letters, 2)} {pick(digits, 3)}{pick(letters, 2)}"
        if self.country == "UA":
            return f"{rng.choice(['AA', 'KA', 'BC', 'AI', 'BH'])} {pick(digits, 4)} {pick(letters, 2)}"
        return f"{pick(digits, 2)}-{pick(digits, 3)}-{pick(digits, 2)}"


# Polish surnames in the masculine form; -ski/-cki/-dzki take -ska/-cka/-dzka for women.
_PL_WOMEN = ["Anna", "Katarzyna", "Małgorzata", "Agnieszka", "Magdalena", "Joanna", "Zofia",
             "Aleksandra", "Natalia", "Ewa", "Monika", "Karolina", "Julia", "Weronika", "Barbara",
             "Dorota"]
_PL_MEN = ["Piotr", "Krzysztof", "Tomasz", "Paweł", "Michał", "Marcin", "Jakub", "Łukasz",
           "Grzegorz", "Wojciech", "Mateusz", "Jan", "Andrzej", "Bartosz", "Kamil"]
_PL_SURNAMES = ["Kowalski", "Nowak", "Wiśniewski", "Wójcik", "Kowalczyk", "Kamiński",
                "Lewandowski", "Zieliński", "Szymański", "Woźniak", "Dąbrowski", "Kozłowski",
                "Jankowski", "Mazur", "Krawczyk", "Piotrowski", "Grabowski", "Pawłowski",
                "Michalski", "Król", "Wieczorek", "Jabłoński", "Wróbel", "Majewski", "Olszewski",
                "Stępień", "Malinowski", "Górski", "Sikora", "Walczak", "Baran", "Zając", "Duda",
                "Czarnecki", "Sawicki", "Sokołowski", "Kubiak", "Szczepański", "Chmielewski",
                "Bąk"]
_IT_WOMEN = ["Giulia", "Francesca", "Chiara", "Sara", "Martina", "Alessandra", "Valentina",
             "Elena", "Federica", "Silvia"]
_IT_MEN = ["Marco", "Luca", "Giuseppe", "Alessandro", "Andrea", "Matteo", "Lorenzo", "Francesco",
           "Davide", "Simone"]
_IT_SURNAMES = ["Rossi", "Russo", "Ferrari", "Esposito", "Bianchi", "Romano", "Colombo", "Ricci",
                "Marino", "Greco", "Bruno", "Gallo", "Conti", "De_Luca", "Mancini", "Costa",
                "Giordano", "Rizzo", "Lombardi", "Moretti"]
# (Cyrillic, Latin) pairs; surnames: (masculine, feminine) when they differ.
_UA_WOMEN = [("Олена", "Olena"), ("Оксана", "Oksana"), ("Наталія", "Nataliia"),
             ("Ірина", "Iryna"), ("Тетяна", "Tetiana"), ("Юлія", "Yuliia"),
             ("Марія", "Mariia"), ("Анастасія", "Anastasiia"), ("Катерина", "Kateryna"),
             ("Софія", "Sofiia")]
_UA_MEN = [("Олександр", "Oleksandr"), ("Андрій", "Andrii"), ("Сергій", "Serhii"),
           ("Дмитро", "Dmytro"), ("Максим", "Maksym"), ("Володимир", "Volodymyr"),
           ("Тарас", "Taras"), ("Богдан", "Bohdan"), ("Юрій", "Yurii"), ("Іван", "Ivan")]
_UA_SURNAMES = [(("Шевченко", "Shevchenko"),) * 2, (("Коваленко", "Kovalenko"),) * 2,
                (("Бондаренко", "Bondarenko"),) * 2, (("Ткаченко", "Tkachenko"),) * 2,
                (("Мельник", "Melnyk"),) * 2, (("Олійник", "Oliinyk"),) * 2,
                (("Поліщук", "Polishchuk"),) * 2, (("Бойко", "Boiko"),) * 2,
                (("Кравчук", "Kravchuk"),) * 2, (("Мороз", "Moroz"),) * 2,
                (("Лисенко", "Lysenko"),) * 2, (("Руденко", "Rudenko"),) * 2,
                (("Левицький", "Levytskyi"), ("Левицька", "Levytska")),
                (("Козловський", "Kozlovskyi"), ("Козловська", "Kozlovska"))]
_IL_WOMEN = [("נועה", "Noa"), ("תמר", "Tamar"), ("מיכל", "Michal"), ("יעל", "Yael"),
             ("שירה", "Shira"), ("מאיה", "Maya"), ("רחל", "Rachel"), ("אביגיל", "Avigail")]
_IL_MEN = [("דוד", "David"), ("יוסף", "Yosef"), ("משה", "Moshe"), ("איתי", "Itai"),
           ("יונתן", "Yonatan"), ("עומר", "Omer"), ("אורי", "Uri"), ("דניאל", "Daniel"),
           ("אריאל", "Ariel")]
_IL_SURNAMES = [("כהן", "Cohen"), ("לוי", "Levi"), ("מזרחי", "Mizrahi"), ("פרץ", "Peretz"),
                ("ביטון", "Biton"), ("דהן", "Dahan"), ("פרידמן", "Friedman"),
                ("שפירא", "Shapira"), ("גולדברג", "Goldberg"), ("אזולאי", "Azoulay"),
                ("כץ", "Katz"), ("רוזנברג", "Rosenberg")]

# Mailbox domains per country, with how common each is.
_DOMAINS = {
    "PL": (["gmail.com", "wp.pl", "onet.pl", "o2.pl", "interia.pl"], [35, 25, 20, 10, 10]),
    "IT": (["gmail.com", "libero.it", "alice.it", "virgilio.it", "hotmail.it"],
           [40, 30, 10, 10, 10]),
    "UA": (["gmail.com", "ukr.net", "i.ua", "meta.ua"], [45, 40, 10, 5]),
    "IL": (["gmail.com", "walla.co.il", "bezeqint.net", "012.net.il"], [50, 30, 10, 10]),
}
# Mobile prefixes after the country code; numbers are drawn until libphonenumber calls
# them valid.
_MOBILE = {
    "PL": ("48", ["50", "51", "53", "60", "66", "69", "72", "78", "79", "88"], 7),
    "IT": ("39", ["320", "328", "333", "338", "340", "347", "349", "366", "389", "393"], 7),
    "UA": ("380", ["50", "63", "66", "67", "68", "73", "93", "95", "97", "98"], 7),
    "IL": ("972", ["50", "52", "53", "54"], 7),
}
_COMPANIES = {
    "PL": ["Kowalski i Wspólnicy Sp. z o.o.", "Biuro Podróży Mazury", "Szkoła Podstawowa nr 12",
           "PKO Bank Polski", "Fundacja Sztuki Współczesnej"],
    "IT": ["Viaggi Bianchi S.r.l.", "Studio Rossi & Associati", "Liceo Classico Manzoni"],
    "UA": ["ТОВ «Київтур»", "Lviv IT Cluster", "Фонд «Культура»"],
    "IL": ["Tel Aviv Travel Ltd.", "אוניברסיטת חיפה", "Negev Tours"],
}


def people(rng: random.Random, *, count: int, real_domains: bool = True) -> list[Person]:
    """`count` distinct customers; about 55 % Polish, 18 % Ukrainian, 14 % Italian, 13 %
    Israeli. With real_domains=False, addresses end in .example (never deliverable)."""
    makers = [(_polish, 55), (_ukrainian, 18), (_italian, 14), (_israeli, 13)]
    result: list[Person] = []
    emails: set[str] = set()
    while len(result) < count:
        maker = rng.choices([m for m, _w in makers], weights=[w for _m, w in makers])[0]
        first, last, latin, language, country = maker(rng)
        email = _email(rng, latin, country, real_domains)
        if email in emails:
            continue
        emails.add(email)
        phone = _phone(rng, country) if rng.random() < 0.85 else ""
        result.append(Person(first, last, email, phone, language, country))
    return result


def _polish(rng):
    woman = rng.random() < 0.55
    first = rng.choice(_PL_WOMEN if woman else _PL_MEN)
    last = rng.choice(_PL_SURNAMES)
    if woman:
        for ending in ("ski", "cki", "dzki"):
            if last.endswith(ending):
                last = last[:-1] + "a"
    return first, last, (first, last), "pl" if rng.random() < 0.93 else "en", "PL"


def _italian(rng):
    first = rng.choice(_IT_WOMEN if rng.random() < 0.5 else _IT_MEN)
    last = rng.choice(_IT_SURNAMES).replace("_", " ")
    return first, last, (first, last), "it" if rng.random() < 0.85 else "en", "IT"


def _ukrainian(rng):
    woman = rng.random() < 0.6
    first = rng.choice(_UA_WOMEN if woman else _UA_MEN)
    last = rng.choice(_UA_SURNAMES)[1 if woman else 0]
    latin = (first[1], last[1])
    if rng.random() < 0.65:
        return first[0], last[0], latin, "uk", "UA"
    # Transliterated, as on a Polish residence card; many of them read Polish or English.
    return *latin, latin, rng.choice(["uk", "uk", "pl", "en"]), "UA"


def _israeli(rng):
    first = rng.choice(_IL_WOMEN if rng.random() < 0.5 else _IL_MEN)
    last = rng.choice(_IL_SURNAMES)
    latin = (first[1], last[1])
    if rng.random() < 0.6:
        return first[0], last[0], latin, "he", "IL"
    return *latin, latin, "en", "IL"


def _ascii(text: str) -> str:
    text = text.replace("ł", "l").replace("Ł", "L")
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(c for c in text.lower() if c.isalnum())


def _email(rng, latin: tuple[str, str], country: str, real_domains: bool) -> str:
    first, last = (_ascii(part) for part in latin)
    domains, weights = _DOMAINS[country]
    domain = rng.choices(domains, weights=weights)[0]
    local = rng.choice([f"{first}.{last}", f"{first}{last}", f"{first[0]}.{last}",
                        f"{first}.{last}{rng.randint(70, 99)}", f"{first}_{last}",
                        f"{last}.{first}{rng.randint(1, 9)}"])
    return f"{local}@{domain}" if real_domains else f"{local}@{domain.split('.')[0]}.example"


def _phone(rng, country: str) -> str:
    code, prefixes, rest = _MOBILE[country]
    while True:
        national = rng.choice(prefixes) + "".join(rng.choice(string.digits)
                                                  for _ in range(rest))
        number = phonenumbers.parse(f"+{code}{national}")
        if phonenumbers.is_valid_number(number):
            break
    if country == "PL" and rng.random() < 0.3:  # typed without the country code
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
