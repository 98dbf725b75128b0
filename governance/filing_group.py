"""The filing group of R39: a parent files the headcount of the affiliates it confirmed.

A group exists only where both sides said so: the affiliate names its parent (group_parent) and
the parent lists the affiliate (group_affiliates), each by its owner in its filing profile. Each
member's count is de-duplicated within that organization (GOVERNANCE_STORED_INDIVIDUALS_COUNTER);
across organizations the subjects share no identity (a pseudonym is per organization), so the
group total is a sum, an upper bound that may count one person twice.
"""

from governance.filing import stored_individuals_count
from governance.models import FilingProfile
from tenants.models import Organization
from tenants.rls import rls_restore, rls_scope


def _slugs(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _profile(organization) -> FilingProfile | None:
    return FilingProfile.objects.filter(organization=organization).first()


def filing_group(*, organization) -> dict | None:
    """Return the confirmed group ``organization`` belongs to, None when it declares none.

    {"parent": Organization, "members": [(Organization, count)] (parent first), "total",
    "unconfirmed": [slugs declared on one side only]}. Reading the other members' profiles and
    counts crosses the tenant wall on purpose: both owners agreed to it, and only each member's
    name and count leave its organization.
    """
    own = FilingProfile.objects.for_org(organization).first()
    if own is None or not (own.group_parent or own.group_affiliates.strip()):
        return None
    previous = rls_scope(None)
    try:
        if own.group_parent:
            parent = Organization.objects.filter(slug=own.group_parent).first()
            parent_profile = _profile(parent) if parent else None
        else:
            parent, parent_profile = organization, own
        declared = _slugs(parent_profile.group_affiliates) if parent_profile else []
        if parent is None or (parent != organization and organization.slug not in declared):
            # Not confirmed: nothing of the named parent (not even its name) is shown.
            return {
                "parent": None,
                "members": [(organization, stored_individuals_count(organization=organization))],
                "total": stored_individuals_count(organization=organization),
                "unconfirmed": [own.group_parent],
            }
        members, unconfirmed = [(parent, stored_individuals_count(organization=parent))], []
        for slug in declared:
            affiliate = Organization.objects.filter(slug=slug).exclude(pk=parent.pk).first()
            profile = _profile(affiliate) if affiliate else None
            if profile is None or profile.group_parent != parent.slug:
                unconfirmed.append(slug)
                continue
            members.append((affiliate, stored_individuals_count(organization=affiliate)))
    finally:
        rls_restore(previous)
    return {
        "parent": parent,
        "members": members,
        "total": sum(count for _org, count in members),
        "unconfirmed": unconfirmed,
    }
