/** A compact card with an order's status, items and total, fetched from /v1/orders/{id}. */
import { useEffect, useState } from "react";
import { fetchOrder, type Order } from "@tandem/client";
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

export function OrderCard({ orderId, token }: { orderId: string; token: string }) {
  const [order, setOrder] = useState<Order | null>(null);
  useEffect(() => {
    let live = true;
    fetchOrder(orderId, token)
      .then((value) => live && setOrder(value))
      .catch(() => live && setOrder(null));
    return () => {
      live = false;
    };
  }, [orderId, token]);
  return order ? <OrderSummary order={order} /> : null;
}
