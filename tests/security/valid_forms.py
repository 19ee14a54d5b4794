"""A valid submission for every POST route, and who may send it.

The CSRF test sends these without a token (so a failure to check would change data);
the fuzzing test starts from them and replaces one field at a time.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from tests.support import PASSWORD
from voicebox.anonymity import coarse_date

NEW_PASSWORD = "harbor-violet-gravel-seventy-3"


def valid_forms(world: Any) -> dict[str, tuple[str, dict[str, str]]]:
    """endpoint → (role that may post it, form data that would succeed)."""
    later = (coarse_date() + timedelta(days=30)).isoformat()
    group_id = str(world.ids.get("group_id", ""))
    return {
        "auth.login": ("anonymous", {"username": "mira", "password": PASSWORD}),
        "auth.logout": ("member", {}),
        "auth.register": (
            "anonymous",
            {
                "invite_code": world.ids.get("invite_code", ""),
                "username": "newcomer",
                "password": PASSWORD,
                "password_confirm": PASSWORD,
            },
        ),
        "auth.setup": (
            "anonymous",
            {"username": "firstadmin", "password": PASSWORD, "password_confirm": PASSWORD},
        ),
        "account.password": (
            "member",
            {"current_password": PASSWORD, "password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD},
        ),
        "account.delete": ("member", {"password": PASSWORD, "withdraw": "y"}),
        "petitions.new": (
            "member",
            {"title": "Fair rotas", "body": "Publish rotas **early**.", "goal": "50", "closes_on": later},
        ),
        "petitions.sign": (
            "member",
            {"display_name": "A colleague", "group": group_id, "comment": "Because it matters."},
        ),
        "petitions.withdraw": ("member", {}),
        "petitions.cosponsor": ("member", {}),
        "petitions.open_for_signing": ("organizer", {}),
        "petitions.close": ("organizer", {}),
        "petitions.reject": ("organizer", {"reason": "Duplicates an open petition."}),
        "petitions.edit": (
            "member",
            {"title": "Edited title", "body": "Edited text", "goal": "50", "closes_on": ""},
        ),
        "concerns.new": (
            "member",
            {
                "title": "Shift swaps",
                "body": "Swaps are refused **often**.",
                "category": str(world.category_id),
                "confirm_identifying": "y",
            },
        ),
        "concerns.support": ("member", {}),
        "concerns.flag": ("member", {}),
        "concerns.unflag": ("member", {}),
        "concerns.reply": ("organizer", {"message": "Thank you, we are on it."}),
        "followup.thread": ("member", {"receipt": world.ids.get("receipt", ""), "message": "More detail."}),
        "concerns.hide": ("organizer", {"reason": "Names a colleague."}),
        "concerns.unhide": ("organizer", {}),
        "petitions.hide_comment": ("organizer", {"reason": "Names a colleague."}),
        "petitions.unhide_comment": ("organizer", {}),
        "api_tokens.index": ("member", {"name": "Union spreadsheet"}),
        "api_tokens.revoke": ("member", {}),
        "concerns.dismiss_flags": ("organizer", {}),
        "concerns.status": ("organizer", {"status": "acknowledged"}),
        "concerns.categories": ("organizer", {"name": "Pay", "description": "Wages and overtime"}),
        "concerns.delete_category": ("organizer", {}),
        "reports.new": (
            "organizer",
            {"title": "Spring report", "narrative": "What we heard.", "petitions": world.petition.id},
        ),
        "reports.edit": ("organizer", {"title": "Spring report v2", "narrative": "Updated."}),
        "reports.publish": ("organizer", {"expected_version": "1"}),
        "responses.respond_to_petition": ("leadership", {"status": "acknowledged", "text": "We hear you."}),
        "responses.respond_to_concern": (
            "leadership",
            {"status": "acknowledged", "text": "Looking into it."},
        ),
        "responses.threshold_settings": ("admin", {"kind": "petition", "signatures": "50"}),
        "responses.remove_threshold": ("admin", {}),
        "admin.invites": (
            "admin",
            {"role": "member", "uses": "3", "expires_on": later, "note": "night shift"},
        ),
        "admin.revoke_invite": ("admin", {}),
        "admin.groups": ("organizer", {"name": "Packing", "kind": "department"}),
        "admin.settings": (
            "admin",
            {
                "headcount": "800",
                "small_group_threshold": "6",
                "cosponsors_needed": "1",
                "retention_days": "90",
            },
        ),
        "admin.change_role": ("admin", {"role": "organizer"}),
        # JSON endpoints: a form never succeeds, but each must still refuse it cleanly.
        "tokens.keys": ("member", {}),
        "tokens.issue": ("member", {"tokens": "[]"}),
        "tokens.redeem": ("anonymous", {"petition_id": world.petition.id, "token": "", "signature": ""}),
        "tokens.withdraw": ("anonymous", {"petition_id": world.petition.id, "phrase": ""}),
        "i18n.choose_language": ("anonymous", {"language": "de", "next": "/"}),
    }
