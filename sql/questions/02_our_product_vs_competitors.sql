-- How does our product's volume compare with competitors'? Share of voice within its group over a
-- period, and the days it spiked.
-- variable product_group text competitor group from products.csv, e.g. 'ロールケーキ'
-- variable dt_from text first JST date, YYYY-MM-DD
-- variable dt_to text last JST date, YYYY-MM-DD
with volume as (

    select * from v_product_volume_named
    where product_group = getvariable('product_group')
      and dt between getvariable('dt_from') and getvariable('dt_to')

),

per_product as (

    select
        v.product,
        v.origin_pref_code,
        v.origin_pref_name,
        sum(v.posts) as posts,
        round(avg(v.share_of_voice), 4) as mean_daily_share,
        count(*) filter (where v.is_spike) as spike_days
    from volume as v
    group by v.product, v.origin_pref_code, v.origin_pref_name

),

final as (

    select
        pp.*,
        round(pp.posts / sum(pp.posts) over (), 4) as share_of_voice_period
    from per_product as pp

)

select * from final
order by posts desc, product
