/** The customer as the long-term memory knows them, next to a conversation. */
import type { TranscriptCustomer } from "@tandem/client";
import { humanize } from "../ui/format";

function when(seconds: number | null | undefined): { iso: string; text: string } | null {
  if (!seconds) return null;
  const date = new Date(seconds * 1000);
  return { iso: date.toISOString(), text: date.toLocaleString() };
}

/** The customer as the long-term memory knows them: profile and earlier conversations. */
export function CustomerCard({ customer, current }: { customer: TranscriptCustomer; current?: string }) {
  const profile = customer.profile;
  const seen = when(profile?.last_seen);
  const earlier = customer.earlier_conversations;
  const conversations = customer.conversations ?? [];
  return (
    <section className="card" aria-labelledby="customer-title">
      <h3 id="customer-title">Customer</h3>
      <p>
        <strong>{profile?.name ?? customer.user_id}</strong>
        {profile?.email && (
          <>
            {" · "}
            <a href={`mailto:${profile.email}`}>{profile.email}</a>
          </>
        )}
      </p>
      {profile && (
        <p className="muted">
          Verified by {humanize(profile.verified_by)}
          {seen && (
            <>
              {" · last seen "}
              <time dateTime={seen.iso}>{seen.text}</time>
            </>
          )}
        </p>
      )}
      {conversations.length > 0 && (
        <>
          <h4>Conversations on every channel</h4>
          <ul className="tool-list" aria-label="Conversations on every channel">
            {conversations.map((item) => {
              const at = when(item.updated_at);
              return (
                <li key={item.conversation_id} aria-current={item.conversation_id === current ? "true" : undefined}>
                  <span className="tag channel">{item.channel}</span>{" "}
                  {item.conversation_id === current ? "This conversation" : item.conversation_id}
                  {at && (
                    <span className="muted">
                      {" — "}
                      <time dateTime={at.iso}>{at.text}</time>
                    </span>
                  )}
                </li>
              );
            })}
          </ul>
        </>
      )}
      <h4>Earlier conversations</h4>
      {earlier.length ? (
        <ul className="tool-list" aria-label="Earlier conversations">
          {earlier.map((item) => {
            const at = when(item.when);
            return (
              <li key={item.conversation_id}>
                {item.summary}
                <span className="muted">
                  {" — "}
                  {humanize(item.outcome)}
                  {at && (
                    <>
                      {", "}
                      <time dateTime={at.iso}>{at.text}</time>
                    </>
                  )}
                </span>
              </li>
            );
          })}
        </ul>
      ) : (
        <p className="muted">None</p>
      )}
    </section>
  );
}
