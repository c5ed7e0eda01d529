-- Labeler quality says which method produced it (crowdlab with model probabilities, else dawid_skene), CROWDLAB's
-- quality score, and the labeler's agreement with the consensus.
alter table labeler_quality add column method text, add column quality double precision,
  add column agreement double precision;
