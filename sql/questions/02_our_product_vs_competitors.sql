-- How does our product's volume compare with competitors'? Share of voice per day within its group.
-- variables: product_group ('ロールケーキ')
with volume as (

    select * from product_volume_daily_v1
    where product_group = getvariable('product_group')

),

per_product as (

    select
        v.product,
        v.origin_pref_code,
        sum(v.posts) as posts,
        round(avg(v.share_of_voice), 4) as mean_daily_share,
        count(*) filter (where v.is_spike) as spike_days
    from volume as v
    group by v.product, v.origin_pref_code

),

final as (

    select
        pp.*,
        round(pp.posts / sum(pp.posts) over (), 4) as share_of_voice_period
    from per_product as pp

)

select * from final
order by posts desc
