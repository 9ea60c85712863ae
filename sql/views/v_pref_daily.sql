-- Canonical posts per JST day naming each prefecture (pref_code '00' = 全国, every canonical post):
-- the denominator of every per-prefecture share, with Japanese prefecture names.
create or replace view v_pref_daily as
with pref_daily as (

    select * from pref_daily_v1

),

prefectures as (

    select * from prefectures

)

select
    pd.dt,
    pd.pref_code,
    coalesce(p.pref_name, '全国') as pref_name,
    pd.posts
from pref_daily as pd
left join prefectures as p
    on pd.pref_code = p.pref_code
