-- term_daily with Japanese prefecture names and the place-name flag, for BI tools that chart terms by
-- prefecture. pref_code '00' is 全国 (all Japan).
create or replace view v_term_daily_named as
with term_daily as (

    select * from term_daily_v1

),

prefectures as (

    select * from prefectures

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
    td.is_place_name
from term_daily as td
left join prefectures as p
    on td.pref_code = p.pref_code
