/** A Chart.js chart as a React component (only the pieces the dashboard uses are bundled). */
import {
  BarController,
  BarElement,
  CategoryScale,
  Chart as ChartJS,
  Filler,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
  type ChartConfiguration,
} from "chart.js";
import { useEffect, useRef } from "react";

ChartJS.register(BarController, BarElement, CategoryScale, Filler, Legend, LinearScale, LineController, LineElement, PointElement, Tooltip);
ChartJS.defaults.font.family = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif";
ChartJS.defaults.color = "#4b5563";

interface Props {
  config: ChartConfiguration;
  /** What the chart shows, for screen readers (the canvas is an image to them). */
  label: string;
  height?: number;
  /** Called with the index of the clicked bar or point (the drill-down). */
  onPick?: (index: number) => void;
}

export function Chart({ config, label, height = 240, onPick }: Props) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const chart = useRef<ChartJS | null>(null);
  useEffect(() => {
    if (!canvas.current) return;
    chart.current?.destroy();
    chart.current = new ChartJS(canvas.current, {
      ...config,
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        ...config.options,
        onClick: (_event, elements) => {
          if (onPick && elements.length) onPick(elements[0].index);
        },
        interaction: { mode: "index", intersect: false },
      },
    });
    return () => {
      chart.current?.destroy();
      chart.current = null;
    };
  }, [config, onPick]);
  return (
    <div className="chart" style={{ height }}>
      <canvas ref={canvas} role="img" aria-label={label} />
    </div>
  );
}
