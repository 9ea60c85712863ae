-- Which regions compete with our shipments, and when: shipments vs. posts per prefecture and month.
-- set variable item = 'いちご';
with shipment_buzz as (

    select * from shipment_buzz_monthly_v1
    where item = getvariable('item')

),

prefectures as (

    select * from prefectures

),

final as (

    select
        sb.month,
        sb.pref_code,
        p.pref_name,
        sb.shipment_qty,
        sb.unit,
        sb.shipment_share,
        sb.posts,
        sb.posts_share,
        round(sb.posts_share - sb.shipment_share, 4) as buzz_minus_shipment_share
    from shipment_buzz as sb
    left join prefectures as p
        on sb.pref_code = p.pref_code

)

select * from final
order by month, shipment_qty desc nulls last, posts desc
