"""Elections: the randomized timeout, pre-vote, the vote rules and counting votes (paper §5.2).

Mixed into `RaftNode` (it uses the node's fields); etcd-io/raft keeps this in `campaign`,
`poll`, `stepCandidate` and the MsgVote case of `Step` in raft.go.
"""

from __future__ import annotations

from k8slab.raft.messages import FROM_LEADER, Message, RequestVote, RequestVoteResponse
from k8slab.raft.ready import Role


class Election:
    """The candidate's half of `RaftNode`, and every node's answer to a vote request."""

    def _draw_timeout(self) -> int:
        # etcd-io/raft resetRandomizedElectionTimeout: electionTimeout + rand.Intn(electionTimeout)
        return self.election_tick + self._rng.randrange(self.election_tick)

    def _start_election(self, *, pre_vote: bool) -> None:
        if pre_vote:
            # etcd's becomePreCandidate: no reset, so term, vote and timeout stay as they are.
            self.role, self.leader_id, self._votes = Role.PRE_CANDIDATE, None, {}
            term = self.term + 1
        else:
            self._reset(self.term + 1)
            self.role, self.voted_for = Role.CANDIDATE, self.id
            term = self.term
        if self._tally(self.id, granted=True) == "won":
            self._on_election_won()
            return
        for peer in self._others():
            self._send(
                RequestVote,
                peer,
                term=term,
                candidate_id=self.id,
                last_log_index=self._log.last_index,
                last_log_term=self._log.last_term,
                pre_vote=pre_vote,
            )

    def _tally(self, voter: str, *, granted: bool) -> str:
        self._votes.setdefault(voter, granted)
        yes = sum(self._votes.values())
        if yes >= self.quorum:
            return "won"
        if len(self._votes) - yes > len(self.peers) - self.quorum:
            return "lost"
        return "pending"

    def _on_election_won(self) -> None:
        if self.role is Role.PRE_CANDIDATE:
            self._start_election(pre_vote=False)
        else:
            self._become_leader()

    def _handle_vote_request(self, request: RequestVote) -> None:
        # etcd raft.go Step, MsgVote/MsgPreVote: one vote per term, for an up-to-date log.
        can_vote = (
            self.voted_for == request.src
            or (self.voted_for is None and self.leader_id is None)
            or (request.pre_vote and request.term > self.term)
        )
        if can_vote and self._log.is_up_to_date(request.last_log_index, request.last_log_term):
            self._send(
                RequestVoteResponse,
                request.src,
                term=request.term,
                vote_granted=True,
                pre_vote=request.pre_vote,
            )
            if not request.pre_vote:
                self._election_elapsed, self.voted_for = 0, request.src
        else:
            self._send(
                RequestVoteResponse, request.src, vote_granted=False, pre_vote=request.pre_vote
            )

    def _step_candidate(self, message: Message) -> None:
        if isinstance(message, FROM_LEADER):
            self._become_follower(message.term, message.src)
            self._step_follower(message)
        elif isinstance(message, RequestVoteResponse) and message.pre_vote == (
            self.role is Role.PRE_CANDIDATE
        ):
            result = self._tally(message.src, granted=message.vote_granted)
            if result == "won":
                self._on_election_won()
            elif result == "lost":
                self._become_follower(self.term, None)
