-- Which regions compete with our shipments, and when do they lead — in shipments and in posts?
-- variable item text shipment item, e.g. 'いちご'
with shipment_buzz as (

    select * from shipment_buzz_monthly_v1
    where item = getvariable('item')
    order by month, pref_code  -- an ordered input also avoids a DuckDB 2.0 window-partition error

),

ranked as (

    select
        sb.month,
        sb.pref_code,
        sb.shipment_qty,
        sb.shipment_share,
        sb.posts,
        sb.posts_share,
        rank() over (partition by sb.month order by sb.shipment_qty desc nulls last) as shipment_rank,
        rank() over (partition by sb.month order by sb.posts desc) as posts_rank
    from shipment_buzz as sb

),

final as (

    select
        r.*,
        p.pref_name
    from ranked as r
    left join prefectures as p
        on r.pref_code = p.pref_code
    where r.shipment_rank <= 5 or r.posts_rank <= 5

)

select * from final
order by month, shipment_rank, posts_rank
