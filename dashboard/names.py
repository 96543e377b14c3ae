"""Readable names for the model's ids: states, factions, actions, options and events."""

from __future__ import annotations

from sim.vocabulary import ACTIONS

STATE_NAMES = {"iran": "Iran", "israel": "Israel", "russia": "Russia", "syria": "Syria",
               "turkey": "Turkey", "us": "the US"}
FACTION_NAMES = {"regime": "Assad government", "opposition": "Opposition (incl. HTS)",
                 "sdf": "SDF (Kurdish-led)", "isis": "ISIS", "successor": "Successor government"}
GOVERNORATE_NAMES = {
    "damascus": "Damascus", "rif_dimashq": "Rif Dimashq", "quneitra": "Quneitra",
    "daraa": "Daraa", "as_suwayda": "As-Suwayda", "homs": "Homs", "tartus": "Tartus",
    "latakia": "Latakia", "hama": "Hama", "idlib": "Idlib", "aleppo": "Aleppo",
    "raqqa": "Raqqa", "deir_ez_zor": "Deir ez-Zor", "al_hasakah": "Al-Hasakah"}
# the noun each action takes after "add" / "drop"
ACTION_NAMES = {
    "diplomatic_cover": "diplomatic cover", "financial_aid": "financial aid",
    "advisers_militias": "advisers and militias", "air_campaign": "an air campaign",
    "ground_deployment": "ground troops", "strike_rival": "strikes on rivals",
    "arm_faction": "arms for its faction", "negotiation": "talks", "deconfliction":
    "deconfliction", "sanctions": "sanctions", "withdrawal": "a withdrawal"}
assert set(ACTION_NAMES) == set(ACTIONS)


def state_name(state: str, start: bool = False) -> str:
    name = STATE_NAMES.get(state, state.replace("_", " ").title())
    return name[0].upper() + name[1:] if start else name


def option_text(label: str) -> str:
    """An option as `StateActor.option_label` names it ("keep", "+air_campaign") in words."""
    if label == "keep":
        return "keep its portfolio"
    if label == "+withdrawal":
        return "withdraw all combat forces"
    verb = "add" if label.startswith("+") else "drop"
    return f"{verb} {ACTION_NAMES.get(label[1:], label[1:].replace('_', ' '))}"


# each event kind as a sentence, from the event's fields (see `event_text`)
EVENT_SENTENCES = {
    "shock": "Outside shock: {detail_words}",
    "veto": "{who} vetoes {detail}",
    "military_intervention": "{who} intervenes with {actions}",
    "deployment": "{who} orders {actions} ({rest})",
    "withdrawal": "{who} withdraws its combat forces",
    "action_start": "{who} starts {action}",
    "action_stop": "{who} stops {action}",
    "sanctions": "{who} sanctions {whom}",
    "airstrike": "{who} strikes {whom} ({detail})",
    "ceasefire": "{who} brokers a ceasefire ({detail})",
    "deconfliction": "{who} and {whom} agree to deconflict",
    "negotiation": "{who} joins {detail}",
    "offensive": "{who} launches an offensive on the {target_faction} ({detail})",
    "resolution": "UN Security Council draft by {who} adopted without a veto",
    "regime_collapse": "The Assad regime falls ({detail})",
    "succession": "A successor government takes over in Damascus",
}


def event_text(actor: str, event: str, target: str, detail: str) -> str:
    """One event (`SyriaModel.events`) as a sentence: "Russia vetoes draft 8"."""
    action, _, rest = detail.partition(": ")
    fields = {
        "who": FACTION_NAMES.get(actor) or state_name(actor, start=True),
        "whom": FACTION_NAMES.get(target) or state_name(target) if target else "Syria",
        "detail": detail or "talks",
        "detail_words": detail.replace("_", " "), "rest": rest,
        "actions": " and ".join(ACTION_NAMES.get(a, a).removeprefix("an ")
                                for a in action.split("+")),
        "action": ACTION_NAMES.get(detail, detail).removeprefix("an "),
        "target_faction": FACTION_NAMES.get(target, target)}
    template = EVENT_SENTENCES.get(event)
    if template is None:
        return f"{fields['who']} {event.replace('_', ' ')} {target} {detail}".strip()
    return template.format(**fields)
