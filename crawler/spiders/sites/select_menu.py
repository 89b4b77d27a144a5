"""Sites that list their reviews in a "choose a document" drop-down (``<select>`` + Go button).

Some council CMS templates offer documents through ``<option value="/media/...">`` instead of links,
which the generic spider (links only) cannot see. This subclass turns each option into a link
candidate, classified by the same rules.
"""

from __future__ import annotations

from urllib.parse import urljoin

from scrapy.http import TextResponse

from ...parsing.links import LinkCandidate, classify_link, clean_text
from ..site import SiteSpider


class SelectMenuSiteSpider(SiteSpider):
    name = "select_menu_site"

    def link_candidates(self, response: TextResponse, is_review: bool) -> list[LinkCandidate]:
        found = super().link_candidates(response, is_review)
        for option in response.css("select option[value]"):
            value = option.attrib["value"].strip()
            if not value or value.startswith("#"):
                continue
            label = clean_text(" ".join(option.css("::text").getall()))
            heading = clean_text(
                " ".join(option.xpath("ancestor::select[1]/preceding::label[1]//text()").getall()))
            found.append(classify_link(urljoin(response.url, value), label, page_url=response.url,
                                       page_is_review=is_review, heading=heading, rules=self.rules))
        return found
