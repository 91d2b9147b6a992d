"""A customer turn as generation receives it, grounded in one FAQ fact: shared by the generation tests."""

from seatcopilot.contracts.classification.v1 import classification_pb2 as cl
from seatcopilot.contracts.retrieval.v1 import retrieval_pb2 as rt

from tests.helpers import classified_event, grounded_event, make_event

FACT = rt.KnowledgeItem(id="faq.due-date", kind="FAQ", title="Due date change",
                        text="You can move your due date once every 12 months, by up to 10 days.",
                        source="Harbor Lending Customer FAQ", version="9", effective_date="2026-10-01")


def grounded(items=(FACT,), degraded=False, text="Can I move my due date?"):
    return grounded_event(classified_event(make_event(text=text, scenario="SERVICE"),
                                           classification=cl.Classification(intent="due_date_change")),
                          items=list(items), degraded=degraded)
