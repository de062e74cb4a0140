/**
 * A compact card with an order's status, items and total: as the message's turn saw it
 * (carried by its tool event), else fetched from /v1/orders/{id} (older transcripts).
 */
import { useEffect, useState } from "react";
import { fetchOrder, type Order, type OrderCardShape } from "@tandem/client";
import { humanize, money } from "../ui/format";

export function OrderSummary({ order }: { order: Order }) {
  const total = order.items.reduce((sum, item) => sum + item.price, 0);
  const address = order.address;
  return (
    <article className="order-card" aria-label={`Order ${order.order_id}`}>
      <header>
        <span className="order-id">Order {order.order_id}</span>
        <span className={`badge status-${order.status.replace(/\W+/g, "-")}`}>{humanize(order.status)}</span>
      </header>
      <ul>
        {order.items.map((item, index) => (
          <li key={index}>
            <span>{item.name}</span>
            <span>{money(item.price)}</span>
          </li>
        ))}
      </ul>
      <footer>
        <span>{address ? `${address.city}, ${address.state}` : ""}</span>
        <strong>{money(total)}</strong>
      </footer>
    </article>
  );
}

/** The card's order from what a tool event carried (no user id or street: it shows neither). */
export function orderFromCard(card: OrderCardShape): Order {
  const address = card.city ? { city: card.city, state: card.state ?? "" } : undefined;
  return { order_id: card.order_id, user_id: "", status: card.status, items: card.items, address };
}

export function OrderCard({ orderId, token, seen }: { orderId: string; token: string; seen?: OrderCardShape }) {
  const [order, setOrder] = useState<Order | null>(null);
  useEffect(() => {
    if (seen) return;
    let live = true;
    fetchOrder(orderId, token)
      .then((value) => live && setOrder(value))
      .catch(() => live && setOrder(null));
    return () => {
      live = false;
    };
  }, [orderId, token, seen]);
  if (seen) return <OrderSummary order={orderFromCard(seen)} />;
  return order ? <OrderSummary order={order} /> : null;
}
