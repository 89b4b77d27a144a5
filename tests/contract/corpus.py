"""A hand-built corpus of 32 Documents covering every facet value in taxonomy.md.

Texts are short, sober and synthetic. Some sentences are placed on purpose so that queries
have known answers: e.g. only document 5 recommends "routine enquiry about domestic abuse at
every GP appointment", only document 9 names the pseudonym "Zoë", only documents that carry the
risk_assessment theme talk about "risk assessment".
"""

from __future__ import annotations

import hashlib

from dhr.document import Document
from dhr.taxonomy import ids

AREAS = {
    "North East": "Sunderland", "North West": "Preston", "Yorkshire and Humber": "Leeds",
    "East Midlands": "Nottingham", "West Midlands": "Coventry", "East": "Norfolk",
    "Greater London": "Tower Hamlets", "South East": "East Sussex", "South West": "Swindon",
    "Wales": "Cardiff",
}
PSEUDONYMS = ["Anna", "Beth", "Carol", "Dawn", "Eve", "Fay", "Gail", "Hope", "Iris", "Zoë",
              "Adult A", "Mrs J", "Case 23", "Kim", "Lena", "Mona", "Nell", "Olive", "Pearl",
              "Ruth", "Sara", "Tess", "Una", "Vera", "Wendy", "Yvonne", "Amir", "Ben", "Colin",
              "David", "Edward", "Frank"]
THEME_SENTENCES = {
    "risk_assessment": "The panel found that no risk assessment was completed after the assault.",
    "marac_mappa": "A referral to MARAC was not made although the threshold was met.",
    "information_sharing": "Agencies did not share information about the earlier incidents.",
    "multi_agency_working": "Multi-agency working was weak and each service worked in a silo.",
    "training_awareness": "Staff had not received training on domestic abuse awareness.",
    "professional_curiosity": "Professional curiosity was lacking when injuries were seen.",
    "mental_health": "She had a history of depression and was known to the mental health team.",
    "alcohol": "His drinking increased and alcohol was a factor in most incidents.",
    "drugs": "He used cocaine daily and substance misuse services had closed his case.",
    "suicide_self_harm": "She disclosed suicidal thoughts and one earlier overdose.",
    "older_people": "The victim was an older woman with frailty and early dementia.",
    "adult_family_violence": "The abuse came from her adult son who lived with her.",
    "children": "Children were present in the household during several incidents.",
    "housing": "The family faced eviction and the housing officer was not told of the abuse.",
    "disability_neurodiversity": "He had a learning disability and autism.",
    "equality_diversity": "An interpreter was not offered although English was her second "
                          "language.",
    "carers": "She had caring responsibilities and no carer's assessment was offered.",
    "covid19": "Contact moved to telephone during the Covid-19 pandemic lockdown.",
    "perpetrator_management": "No perpetrator programme was offered and bail conditions lapsed.",
    "record_keeping": "Case notes were incomplete and the record did not carry a flag.",
    "specialist_services": "The independent domestic violence advisor could not reach her.",
    "strangulation": "She reported non-fatal strangulation to the emergency department.",
}
AGENCY_NAMES = {
    "police": "Lancashire Constabulary", "probation": "National Probation Service",
    "prison": "HMP Leeds", "gp_primary_care": "the GP practice",
    "health_commissioner": "the Integrated Care Board", "mental_health_services": "the CMHT",
    "acute_hospital": "the hospital trust", "ambulance": "North West Ambulance Service",
    "community_health": "the health visitor", "adult_social_care": "Adult Social Care",
    "childrens_social_care": "Children's Social Care", "housing": "the housing association",
    "substance_misuse_services": "Change Grow Live", "domestic_abuse_services": "Women's Aid",
    "education": "the college", "dwp": "Jobcentre Plus",
    "community_safety_partnership": "the Community Safety Partnership",
    "safeguarding_board": "the Safeguarding Adults Board", "local_authority": "the borough council",
    "home_office": "the Home Office",
    "central_government": "the Department of Health and Social Care",
    "courts_legal": "the Crown Prosecution Service", "fire_rescue": "the Fire and Rescue Service",
    "victim_services": "Victim Support", "other": "her employer",
}


def _sha(i: int) -> str:
    return hashlib.sha256(f"contract-corpus-{i}".encode()).hexdigest()


def build_corpus() -> list[Document]:
    doc_types, review_types = ids("doc_type"), ids("review_type")
    death_types, abuse, themes = ids("death_type"), ids("abuse_type"), ids("theme")
    agencies, bands, regions = ids("agency"), ids("victim_age_band"), ids("region")
    docs = []
    for i in range(32):
        region = regions[i % len(regions)]
        doc_themes = sorted({themes[i % 22], themes[(i + 7) % 22], themes[(i + 13) % 22]})
        doc_agencies = sorted({agencies[i % 25], agencies[(i + 5) % 25], agencies[(i + 11) % 25],
                               agencies[(i + 17) % 25]})
        year = 2012 + i % 13
        date = None if i % 9 == 8 else (f"{year}" if i % 5 == 4 else f"{year}-{(i % 12) + 1:02d}")
        name = PSEUDONYMS[i]
        page1 = (f"Domestic Homicide Review into the death of {name}. This overview report was "
                 f"commissioned by {AREAS[region]} Community Safety Partnership. "
                 + " ".join(f"{AGENCY_NAMES[a]} contributed a chronology." for a in doc_agencies))
        page2 = " ".join(THEME_SENTENCES[t] for t in doc_themes)
        if i == 9:
            page2 += " Zoë had worked at a café; MARAC's minutes were not kept."
        if i == 12:
            page2 += " Her partner showed controlling behaviour for many years."
        if i % 4 == 0:
            page2 += " The GP recorded anxiety at two appointments."
        recs = [{
            "number": "1",
            "text": f"{AGENCY_NAMES[doc_agencies[0]]} should review its training on "
                    f"{doc_themes[0].replace('_', ' ')} and report to the panel by March "
                    f"{year + 2}.",
            "agency": doc_agencies[0], "agency_name": AGENCY_NAMES[doc_agencies[0]],
            "scope": ["local", "regional", "national"][i % 3], "page": 3, "source": "list",
            "smart": {"specific": True, "measurable": i % 2 == 0, "time_bound": True,
                      "score": 3 if i % 2 == 0 else 2},
            "themes": [doc_themes[0]],
        }, {
            "number": "2",
            "text": "Agencies should improve awareness of domestic abuse.",
            "agency": None, "agency_name": None, "scope": "local", "page": 3, "source": "list",
            "smart": {"specific": False, "measurable": False, "time_bound": False, "score": 0},
            "themes": [],
        }]
        if i == 5:
            recs.append({"number": "3", "text": "The Integrated Care Board to ensure routine "
                         "enquiry about domestic abuse at every GP appointment within 12 months.",
                         "agency": "health_commissioner", "agency_name": "Integrated Care Board",
                         "scope": "local", "page": 3, "source": "table",
                         "smart": {"specific": True, "measurable": False, "time_bound": True,
                                   "score": 2}, "themes": ["professional_curiosity"]})
        page3 = "Recommendations. " + " ".join(f"{r['number']}. {r['text']}" for r in recs)
        sex = "male" if i % 6 == 5 else ("female" if i % 11 != 10 else None)
        docs.append(Document.model_validate({
            "schema": "dhr.document/1", "id": _sha(i), "filename": f"dhr-{i:02d}.pdf",
            "format": "pdf", "extractor_version": "contract-1", "page_count": 3,
            "doc_type": doc_types[i % len(doc_types)],
            "title": f"Domestic Homicide Review: {name}",
            "review": {
                "pseudonym": name, "area": AREAS[region], "region": region,
                "date_of_death": date,
                "review_type": None if i % 8 == 7 else review_types[i % 3],
                "death_type": death_types[i % 4],
                "victim": {"age": None, "age_band": bands[i % 7], "sex": sex},
                "abuse_types": sorted({abuse[i % 11], abuse[(i + 4) % 11]}),
            },
            "agencies": [{"id": a, "name": AGENCY_NAMES[a], "mentions": 1} for a in doc_agencies],
            "themes": [{"id": t, "mentions": 1,
                        "evidence": [{"page": 2, "text": THEME_SENTENCES[t]}]}
                       for t in doc_themes],
            "recommendations": recs,
            "pages": [page1, page2, page3],
        }))
    return docs
