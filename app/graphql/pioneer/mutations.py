"""Mutations of pioneer posts: designate, follow up, end early, correct and cancel. Each a plan
for `kit.writes`: the ids it takes, the policy function that decides over the organisation and
the holder, the use case it calls."""

from __future__ import annotations

from uuid import UUID

import strawberry

from app import policy
from app.graphql.accountability.common import server_today
from app.graphql.kit.acks import Acknowledged
from app.graphql.kit.errors import UserError
from app.graphql.kit.writes import Command, Writer, record_answer, write
from app.graphql.pioneer import inputs
from app.graphql.pioneer.types import PioneerPost
from projections import pioneer_posts as views
from store.db import Connection


@strawberry.type
class PioneerPostPayload(Acknowledged):
    RECORD = "PioneerPost"
    post: PioneerPost | None
    user_errors: list[UserError]


def post_of(conn: Connection, post_id: str) -> views.PostView | None:
    return views.posts_by_id(conn, [post_id]).get(post_id)


POST = record_answer(PioneerPostPayload, post_of, lambda view: PioneerPost.from_view(view, None))


def known_post(w: Writer, global_id: str) -> tuple[UUID, views.PostView]:
    return w.known(global_id, "PioneerPost", "postId", post_of, "no pioneer post with id {id}")


@strawberry.type
class PioneerMutation:
    @write(POST, "designate pioneer posts here",
           description="Designate a party member to hold a pioneer post (党员示范岗) or a "
                       "responsibility zone (党员责任区) for a period.")
    def designate_pioneer(w: Writer, input: inputs.DesignatePioneerInput) -> Command[None]:
        organization = w.id(input.organization_id, "Organization", "organizationId")
        holder = w.id(input.holder_id, "Person", "holderId")
        return w.allow_if(policy.may_designate_pioneer, str(organization), str(holder)).call(
            w.app.designate_pioneer, organization_id=organization, holder_id=holder,
            kind=input.kind.value, title=input.title, scope=input.scope,
            held_from=input.held_from, held_to=input.held_to, description=input.description,
            reason=input.reason)

    @write(POST, "follow up this post",
           description="Add a dated note on how a post went (the organisation, or the holder "
                       "on their own post).")
    def follow_up_pioneer(w: Writer, input: inputs.FollowUpPioneerInput) -> Command[None]:
        post_id, view = known_post(w, input.post_id)
        return w.allow_if(policy.may_follow_up_pioneer, view.organization_id,
                          view.holder_id).call(
            w.app.follow_up_pioneer, post_id, note=input.note, followed_on=input.followed_on,
            today=server_today(), evidence=input.evidence, reason=input.reason)

    @write(POST, "end this post", description="End a post early, with the reason.")
    def end_pioneer(w: Writer, input: inputs.EndPioneerInput) -> Command[None]:
        post_id, view = known_post(w, input.post_id)
        return w.allow_if(policy.may_designate_pioneer, view.organization_id,
                          view.holder_id).call(
            w.app.end_pioneer_early, post_id, ended_on=input.ended_on, today=server_today(),
            reason=input.reason)

    @write(POST, "correct this post", description="Correct a post's period, with a reason.")
    def correct_pioneer_period(w: Writer, input: inputs.CorrectPioneerPeriodInput,
                               ) -> Command[None]:
        post_id, view = known_post(w, input.post_id)
        return w.allow_if(policy.may_designate_pioneer, view.organization_id,
                          view.holder_id).call(
            w.app.correct_pioneer_period, post_id, held_from=input.held_from,
            held_to=input.held_to, reason=input.reason)

    @write(POST, "correct this post",
           description="Correct a post's title, scope and description, with a reason.")
    def correct_pioneer_details(w: Writer, input: inputs.CorrectPioneerDetailsInput,
                                ) -> Command[None]:
        post_id, view = known_post(w, input.post_id)
        return w.allow_if(policy.may_designate_pioneer, view.organization_id,
                          view.holder_id).call(
            w.app.correct_pioneer_details, post_id, title=input.title, scope=input.scope,
            description=input.description, reason=input.reason)

    @write(POST, "cancel this post", description="Cancel (作废) a post's record, with a reason.")
    def cancel_pioneer(w: Writer, input: inputs.CancelPioneerInput) -> Command[None]:
        post_id, view = known_post(w, input.post_id)
        return w.allow_if(policy.may_designate_pioneer, view.organization_id,
                          view.holder_id).call(
            w.app.cancel_pioneer, post_id, reason=input.reason)
