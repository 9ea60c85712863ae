-- Fallback of v_pref_daily for lakes without gold pref_daily_v1: the same counts from silver posts_v1
-- (canonical posts only, i.e. is_duplicate_of is null; '00' counts every canonical post).
create or replace view v_pref_daily as
with canonical as (

    select * from posts_v1
    where is_duplicate_of is null

),

per_pref as (

    select
        c.dt,
        unnest(c.pref_codes) as pref_code,
        c.post_id
    from canonical as c

),

counted as (

    select dt, pref_code, count(distinct post_id) as posts
    from per_pref
    group by dt, pref_code
    union all
    select dt, '00' as pref_code, count(distinct post_id) as posts
    from canonical
    group by dt

),

prefectures as (

    select * from prefectures

)

select
    c.dt,
    c.pref_code,
    coalesce(p.pref_name, '全国') as pref_name,
    c.posts
from counted as c
left join prefectures as p
    on c.pref_code = p.pref_code
