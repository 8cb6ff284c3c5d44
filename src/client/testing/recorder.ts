// FakeRecorder: an EventRecorder for controller tests that keeps `<type> <reason> <message>` strings, as
// client-go's record.FakeRecorder does, so a test can assert on the event reasons a sync produced.
import type { KubeObject } from '../../api/index.ts';
import { type EventRecorder, type EventType, sprintf } from '../events.ts';

export interface RecordedEvent {
  object: KubeObject;
  type: EventType;
  reason: string;
  message: string;
  annotations?: Record<string, string>;
}

export class FakeRecorder implements EventRecorder {
  /** `Normal Provisioning External provisioner is provisioning volume ...`, in order. */
  readonly events: string[] = [];
  readonly recorded: RecordedEvent[] = [];

  event(obj: KubeObject, type: EventType, reason: string, message: string): void {
    this.events.push(`${type} ${reason} ${message}`);
    this.recorded.push({ object: structuredClone(obj), type, reason, message });
  }

  eventf(obj: KubeObject, type: EventType, reason: string, format: string, ...args: unknown[]): void {
    this.event(obj, type, reason, sprintf(format, ...args));
  }

  annotatedEventf(
    obj: KubeObject,
    annotations: Record<string, string>,
    type: EventType,
    reason: string,
    format: string,
    ...args: unknown[]
  ): void {
    const message = sprintf(format, ...args);
    this.events.push(`${type} ${reason} ${message}`);
    this.recorded.push({
      object: structuredClone(obj),
      type,
      reason,
      message,
      annotations: { ...annotations },
    });
  }

  /** The reasons recorded so far, in order. */
  reasons(): string[] {
    return this.recorded.map((e) => e.reason);
  }

  clear(): void {
    this.events.length = 0;
    this.recorded.length = 0;
  }
}
