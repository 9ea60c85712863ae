-- product_volume_daily with the origin prefecture's Japanese name.
create or replace view v_product_volume_named as
with volume as (

    select * from product_volume_daily_v1

),

prefectures as (

    select * from prefectures

)

select
    v.dt,
    v.product_group,
    v.product,
    v.origin_pref_code,
    p.pref_name as origin_pref_name,
    v.posts,
    v.share_of_voice,
    v.baseline_posts,
    v.is_spike
from volume as v
left join prefectures as p
    on v.origin_pref_code = p.pref_code
