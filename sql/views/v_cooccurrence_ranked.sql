-- cooccurrence_monthly ranked the way sql/cooccurrence_monthly/README.md defines: place names left
-- out, at least 3 posts with both words, ordered by the log-likelihood contribution
-- 2 · posts · ln(lift) — strong *and* supported pairs first; Japanese prefecture names.
create or replace view v_cooccurrence_ranked as
with pairs as (

    select * from cooccurrence_monthly_v1

),

prefectures as (

    select * from prefectures

),

place_names as (

    select * from place_names

),

scored as (

    select
        c.month,
        c.anchor_term,
        c.pref_code,
        coalesce(p.pref_name, '全国') as pref_name,
        c.co_term,
        c.posts,
        c.lift,
        c.anchor_posts,
        c.derived_share,
        round(2 * c.posts * ln(c.lift), 3) as association
    from pairs as c
    left join prefectures as p
        on c.pref_code = p.pref_code
    where c.posts >= 3
      and c.lift > 1
      and lower(c.co_term) not in (select name from place_names)

)

select
    *,
    row_number() over (
        partition by month, anchor_term, pref_code order by association desc, posts desc, co_term
    ) as co_term_rank
from scored
