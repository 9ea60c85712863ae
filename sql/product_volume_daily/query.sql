-- Daily mentions of the products of one competitor group, with share of voice and spikes.
-- set variable product_group = 'ロールケーキ';
with product_volume as (

    select * from product_volume_daily_v1
    where product_group = getvariable('product_group')

),

prefectures as (

    select * from prefectures

),

final as (

    select
        pv.dt,
        pv.product,
        pv.origin_pref_code,
        p.pref_name as origin_pref_name,
        pv.posts,
        pv.share_of_voice,
        pv.baseline_posts,
        pv.is_spike
    from product_volume as pv
    left join prefectures as p
        on pv.origin_pref_code = p.pref_code

)

select * from final
order by dt, posts desc
