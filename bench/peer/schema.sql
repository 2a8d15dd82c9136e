-- The peer dengta is measured against (bench/peer.py): what a competent PostGraphile user would
-- build for the same work. Plain tables in schema `peer` (exposed by PostGraphile), an audit
-- trigger on each that logs the change and keeps a hand-written history table in
-- `peer_private` (not exposed), and a function per relation for reads as of a moment.
-- No policy, no tamper evidence: rows, not intentions.

DROP SCHEMA IF EXISTS peer CASCADE;
DROP SCHEMA IF EXISTS peer_private CASCADE;
CREATE SCHEMA peer;
CREATE SCHEMA peer_private;

CREATE TYPE peer.responsibility_kind AS ENUM ('collective', 'primary', 'direct', 'specific');
CREATE TYPE peer.party_kind AS ENUM ('person', 'organization');

CREATE TABLE peer.organizations (
  id uuid PRIMARY KEY,
  name text NOT NULL,
  kind text NOT NULL,
  category text,
  parent_id uuid REFERENCES peer.organizations,
  dissolved boolean NOT NULL DEFAULT false
);
CREATE INDEX ON peer.organizations (parent_id);

CREATE TABLE peer.people (
  id uuid PRIMARY KEY,
  name text NOT NULL,
  party_member boolean NOT NULL
);

CREATE TABLE peer.goals (
  id uuid PRIMARY KEY,
  parent_id uuid REFERENCES peer.goals,
  organization_id uuid NOT NULL REFERENCES peer.organizations,
  level text NOT NULL,
  field text NOT NULL,
  title text NOT NULL,
  description text NOT NULL DEFAULT '',
  period_start date NOT NULL,
  period_end date NOT NULL,
  indicator jsonb NOT NULL,
  weight integer NOT NULL,
  status text NOT NULL
);
CREATE INDEX ON peer.goals (parent_id);
CREATE INDEX ON peer.goals (organization_id);
CREATE INDEX ON peer.goals (period_start, title, id);

-- A responsibility names a person or an organisation: no foreign key can say which.
CREATE TABLE peer.responsibilities (
  goal_id uuid NOT NULL REFERENCES peer.goals,
  party_id uuid NOT NULL,
  party_kind peer.party_kind NOT NULL,
  kind peer.responsibility_kind NOT NULL,
  since date,
  PRIMARY KEY (goal_id, party_id, kind)
);
CREATE INDEX ON peer.responsibilities (party_id);

-- Each goal's progress so far (count, latest report by effective date, completion), kept by a
-- trigger on progress_reports so a page does not aggregate every report.
CREATE TABLE peer.goal_progress (
  goal_id uuid PRIMARY KEY REFERENCES peer.goals,
  reports integer NOT NULL,
  value numeric,
  level text,
  date date,
  completion double precision
);
COMMENT ON CONSTRAINT goal_progress_goal_id_fkey ON peer.goal_progress IS
  E'@foreignSingleFieldName progress';

CREATE TABLE peer.progress_reports (
  id bigserial PRIMARY KEY,
  goal_id uuid NOT NULL REFERENCES peer.goals,
  value numeric,
  level text,
  effective_date date NOT NULL,
  reported_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ON peer.progress_reports (goal_id);

CREATE TABLE peer.cycles (
  id uuid PRIMARY KEY,
  title text NOT NULL,
  status text NOT NULL,
  period_start date NOT NULL,
  period_end date NOT NULL
);

CREATE TABLE peer.scores (
  cycle_id uuid NOT NULL REFERENCES peer.cycles,
  organization_id uuid NOT NULL REFERENCES peer.organizations,
  name text NOT NULL,
  category text NOT NULL,
  organizational double precision,
  mass double precision,
  self double precision,
  social double precision,
  party_building double precision,
  adjustment double precision NOT NULL,
  business double precision,
  combined double precision,
  grade text,
  evaluated integer NOT NULL,
  expected integer NOT NULL,
  PRIMARY KEY (cycle_id, organization_id)
);
CREATE INDEX ON peer.scores (organization_id);

-- The scoreboard: ranks within the category and overall (ties share one; unscored lines have
-- none), and each line's place (best first, unscored last).
CREATE VIEW peer.standings AS
  SELECT s.*,
    CASE WHEN s.combined IS NULL THEN NULL ELSE rank() OVER (
      PARTITION BY s.cycle_id, s.category, s.combined IS NULL ORDER BY s.combined DESC)::integer
    END AS category_rank,
    CASE WHEN s.combined IS NULL THEN NULL ELSE rank() OVER (
      PARTITION BY s.cycle_id, s.combined IS NULL ORDER BY s.combined DESC)::integer
    END AS overall_rank,
    row_number() OVER (PARTITION BY s.cycle_id
                       ORDER BY s.combined IS NULL, s.combined DESC, s.name, s.organization_id
                      )::integer AS place
  FROM peer.scores s;
COMMENT ON VIEW peer.standings IS
  E'@foreignKey (organization_id) references peer.organizations (id)';

-- What a person or an organisation answers for, by kind, then title.
CREATE VIEW peer.accountable_goals AS
  SELECT r.party_id, r.party_kind, r.kind, r.since, g.id AS goal_id, g.title, g.level,
         g.status
  FROM peer.responsibilities r JOIN peer.goals g ON g.id = r.goal_id;

-- ---- audit trigger and history ------------------------------------------------------------

CREATE TABLE peer_private.audit_log (
  id bigserial PRIMARY KEY,
  at timestamptz NOT NULL DEFAULT now(),
  by text NOT NULL DEFAULT current_user,
  table_name text NOT NULL,
  operation text NOT NULL,
  old_row jsonb,
  new_row jsonb
);

CREATE TABLE peer_private.organizations_history (LIKE peer.organizations);
CREATE TABLE peer_private.people_history (LIKE peer.people);
CREATE TABLE peer_private.goals_history (LIKE peer.goals);
CREATE TABLE peer_private.responsibilities_history (LIKE peer.responsibilities);
CREATE TABLE peer_private.goal_progress_history (LIKE peer.goal_progress);
CREATE TABLE peer_private.cycles_history (LIKE peer.cycles);
CREATE TABLE peer_private.scores_history (LIKE peer.scores);
DO $$
DECLARE
  name text;
BEGIN
  FOREACH name IN ARRAY ARRAY['organizations', 'people', 'goals', 'responsibilities',
                              'goal_progress', 'cycles', 'scores'] LOOP
    EXECUTE format('ALTER TABLE peer_private.%I ADD COLUMN valid_from timestamptz NOT NULL, '
                   'ADD COLUMN valid_to timestamptz', name || '_history');
  END LOOP;
END $$;
CREATE INDEX ON peer_private.organizations_history (id, valid_from);
CREATE INDEX ON peer_private.people_history (id, valid_from);
CREATE INDEX ON peer_private.goals_history (id, valid_from);
CREATE INDEX ON peer_private.goals_history (valid_from);
CREATE INDEX ON peer_private.responsibilities_history (goal_id, valid_from);
CREATE INDEX ON peer_private.goal_progress_history (goal_id, valid_from);
CREATE INDEX ON peer_private.cycles_history (id, valid_from);
CREATE INDEX ON peer_private.scores_history (cycle_id, organization_id, valid_from);

-- Logs the change, closes the row's current history version and opens the next one. The
-- trigger's arguments name the table's key columns.
CREATE FUNCTION peer_private.keep_history() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  history text := format('peer_private.%I', TG_TABLE_NAME || '_history');
  same_key text;
BEGIN
  INSERT INTO peer_private.audit_log (table_name, operation, old_row, new_row)
  VALUES (TG_TABLE_NAME, TG_OP,
          CASE WHEN TG_OP <> 'INSERT' THEN to_jsonb(OLD) END,
          CASE WHEN TG_OP <> 'DELETE' THEN to_jsonb(NEW) END);
  IF TG_OP <> 'INSERT' THEN
    SELECT string_agg(format('%I = ($1).%I', key, key), ' AND ') INTO same_key
      FROM unnest(TG_ARGV) AS key;
    EXECUTE format('UPDATE %s SET valid_to = now() WHERE valid_to IS NULL AND %s',
                   history, same_key) USING OLD;
  END IF;
  IF TG_OP <> 'DELETE' THEN
    EXECUTE format('INSERT INTO %s SELECT ($1).*, now(), NULL', history) USING NEW;
  END IF;
  RETURN NULL;
END $$;

-- Installed after the tables are filled (bench/peer.py), so filling writes no history twice.
CREATE FUNCTION peer_private.install_history_triggers() RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  keys jsonb := '{"organizations": ["id"], "people": ["id"], "goals": ["id"],
                  "responsibilities": ["goal_id", "party_id", "kind"],
                  "goal_progress": ["goal_id"], "cycles": ["id"],
                  "scores": ["cycle_id", "organization_id"]}';
  name text;
BEGIN
  FOR name IN SELECT jsonb_object_keys(keys) LOOP
    EXECUTE format('CREATE TRIGGER keep_history AFTER INSERT OR UPDATE OR DELETE ON peer.%I '
                   'FOR EACH ROW EXECUTE FUNCTION peer_private.keep_history(%s)', name,
                   (SELECT string_agg(quote_literal(k), ', ')
                      FROM jsonb_array_elements_text(keys -> name) AS k));
  END LOOP;
END $$;

-- ---- progress --------------------------------------------------------------------------------

-- How far a report is towards the target: 0 at the baseline, 1 on target (more beyond it);
-- for a rubric, the level's score over the best score.
CREATE FUNCTION peer_private.completion(indicator jsonb, value numeric, level text)
RETURNS double precision LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
  baseline numeric := (indicator ->> 'baseline')::numeric;
  span numeric;
  progress numeric;
  best numeric;
  score numeric;
BEGIN
  IF indicator ->> 'kind' = 'qualitative' THEN
    SELECT max((l ->> 'score')::numeric) INTO best FROM jsonb_array_elements(indicator -> 'levels') l;
    SELECT (l ->> 'score')::numeric INTO score
      FROM jsonb_array_elements(indicator -> 'levels') l WHERE l ->> 'name' = level;
    IF score IS NULL OR best = 0 THEN RETURN NULL; END IF;
    RETURN round(score / best, 6);
  END IF;
  IF value IS NULL THEN RETURN NULL; END IF;
  span := (indicator ->> 'target')::numeric - baseline;
  IF indicator ->> 'direction' = 'lower_is_better' THEN
    span := -span;
    progress := baseline - value;
  ELSE
    progress := value - baseline;
  END IF;
  IF span = 0 THEN RETURN CASE WHEN progress >= 0 THEN 1 ELSE 0 END; END IF;
  RETURN round(greatest(0, progress / span), 6);
END $$;

-- A report counts; the latest by effective date is the goal's current value.
CREATE FUNCTION peer_private.fold_progress_report() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO peer.goal_progress AS p (goal_id, reports, value, level, date, completion)
  SELECT NEW.goal_id, 1, NEW.value, NEW.level, NEW.effective_date,
         peer_private.completion(g.indicator, NEW.value, NEW.level)
    FROM peer.goals g WHERE g.id = NEW.goal_id
  ON CONFLICT (goal_id) DO UPDATE SET
    reports = p.reports + 1,
    value = CASE WHEN p.date IS NULL OR excluded.date >= p.date THEN excluded.value ELSE p.value END,
    level = CASE WHEN p.date IS NULL OR excluded.date >= p.date THEN excluded.level ELSE p.level END,
    completion = CASE WHEN p.date IS NULL OR excluded.date >= p.date THEN excluded.completion
                      ELSE p.completion END,
    date = greatest(p.date, excluded.date);
  RETURN NULL;
END $$;
CREATE TRIGGER fold_progress_report AFTER INSERT ON peer.progress_reports
  FOR EACH ROW EXECUTE FUNCTION peer_private.fold_progress_report();

-- ---- reads as of a moment: a function per relation ---------------------------------------

CREATE FUNCTION peer.goals_as_of("at" timestamptz) RETURNS SETOF peer.goals
LANGUAGE sql STABLE AS $$
  SELECT id, parent_id, organization_id, level, field, title, description, period_start,
         period_end, indicator, weight, status
  FROM peer_private.goals_history
  WHERE valid_from <= "at" AND (valid_to IS NULL OR valid_to > "at")
$$;
COMMENT ON FUNCTION peer.goals_as_of(timestamptz) IS E'@sortable\n@filterable';

CREATE FUNCTION peer.goals_progress_at(g peer.goals, "at" timestamptz) RETURNS peer.goal_progress
LANGUAGE sql STABLE AS $$
  SELECT goal_id, reports, value, level, date, completion
  FROM peer_private.goal_progress_history
  WHERE goal_id = g.id AND valid_from <= "at" AND (valid_to IS NULL OR valid_to > "at")
$$;

CREATE FUNCTION peer.goals_organization_at(g peer.goals, "at" timestamptz)
RETURNS peer.organizations LANGUAGE sql STABLE AS $$
  SELECT id, name, kind, category, parent_id, dissolved
  FROM peer_private.organizations_history
  WHERE id = g.organization_id AND valid_from <= "at" AND (valid_to IS NULL OR valid_to > "at")
$$;

CREATE FUNCTION peer.goals_responsibilities_at(g peer.goals, "at" timestamptz)
RETURNS SETOF peer.responsibilities LANGUAGE sql STABLE AS $$
  SELECT goal_id, party_id, party_kind, kind, since
  FROM peer_private.responsibilities_history
  WHERE goal_id = g.id AND valid_from <= "at" AND (valid_to IS NULL OR valid_to > "at")
$$;
COMMENT ON FUNCTION peer.goals_responsibilities_at(peer.goals, timestamptz) IS E'@sortable';
