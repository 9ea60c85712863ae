-- Fallback of v_term_daily_named for lakes whose term_daily_v1 has no is_place_name column yet:
-- the flag comes from the catalog's place_names list (gazetteer names, short and romanised forms).
create or replace view v_term_daily_named as
with term_daily as (

    select * from term_daily_v1

),

prefectures as (

    select * from prefectures

),

place_names as (

    select * from place_names

)

select
    td.dt,
    td.pref_code,
    coalesce(p.pref_name, '全国') as pref_name,
    td.term,
    td.lemma,
    td.pos,
    td.posts,
    td.occurrences,
    (pn.name is not null) as is_place_name
from term_daily as td
left join prefectures as p
    on td.pref_code = p.pref_code
left join place_names as pn
    on lower(td.term) = pn.name  -- place_names holds names as written and romanisations in lower case
