import { useId } from 'react';

/** An accessible progress bar: role="progressbar" with its value, and the value as text too. */
export function ProgressBar({ label, percent, text, testId }: { label: string; percent: number; text: string; testId?: string }) {
  const id = useId();
  const value = Math.max(0, Math.min(100, Math.round(percent * 10) / 10));
  return (
    <div className="progress">
      <span id={id} className="progress-label">{label}</span>
      <div
        role="progressbar"
        aria-labelledby={id}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={value}
        aria-valuetext={text}
        data-testid={testId}
        className="progress-track"
      >
        <div className="progress-fill" style={{ width: `${value}%` }} />
      </div>
      <span className="progress-text" aria-hidden="true">{text}</span>
    </div>
  );
}
