/** A key figure with its definition in a tooltip (hover or keyboard focus shows it). */
import type { ReactNode } from "react";

/** A "?" button whose tooltip holds the figure's definition. */
export function Info({ id, label, text }: { id: string; label: string; text: string | undefined }) {
  if (!text) return null;
  return (
    <span className="info">
      <button type="button" className="info-button" aria-label={`What is ${label}?`} aria-describedby={id}>
        ?
      </button>
      {/* Read out through the button's aria-describedby, not as part of the surrounding name. */}
      <span role="tooltip" id={id} className="info-tip" aria-hidden="true">
        {text}
      </span>
    </span>
  );
}

interface TileProps {
  id: string;
  label: string;
  value: string;
  definition?: string;
  detail?: ReactNode;
  tone?: "good" | "bad";
  /** Opens the conversations behind the figure. */
  onOpen?: () => void;
}

export function Tile({ id, label, value, definition, detail, tone, onOpen }: TileProps) {
  return (
    <div className={`tile${tone ? ` ${tone}` : ""}`} data-metric={id}>
      <span className="tile-label">
        {label} <Info id={`def-${id}`} label={label} text={definition} />
      </span>
      <span className="tile-value">{value}</span>
      {detail && <span className="tile-detail">{detail}</span>}
      {onOpen && (
        <button type="button" className="link small" onClick={onOpen}>
          Show conversations
        </button>
      )}
    </div>
  );
}
