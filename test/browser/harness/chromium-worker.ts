import type { BrowserContext, CDPSession, Page } from "playwright-core";

interface TargetInfo {
  targetId: string;
  type: string;
  url: string;
}

/** A reply or an event of the service worker's own DevTools session. */
interface WorkerMessage {
  id?: number;
  method?: string;
  params?: Record<string, unknown>;
  result?: { result?: { value?: unknown }; exceptionDetails?: ExceptionDetails };
  error?: { message: string };
}

interface ExceptionDetails {
  exceptionId: number;
  text: string;
  exception?: { description?: string; value?: unknown };
}

/**
 * A DevTools session of Chromium's own on ToolKey's background service worker, reached through
 * the probe page. Chromium keeps the worker's target, and this session with it, across the
 * worker's stops and starts (Playwright's Worker then keeps its first start's context, and no
 * event says that a new start began): so the session hears every exception the worker leaves
 * uncaught and every promise rejection it leaves unhandled, from the first moment of every start,
 * and evaluates in whichever start is running.
 */
export class ServiceWorkerSession {
  /** What the worker left uncaught or unhandled, by exception id; a rejection handled later is taken out. */
  private readonly exceptions = new Map<number, string>();
  private readonly replies = new Map<number, (message: WorkerMessage) => void>();
  private nextId = 1;

  private constructor(
    private readonly session: CDPSession,
    private readonly sessionId: string,
  ) {}

  /** Attaches to the extension's service worker through the probe, an extension page of the same extension. */
  static async attach(context: BrowserContext, probe: Page, extensionId: string): Promise<ServiceWorkerSession> {
    const session = await context.newCDPSession(probe);
    const { targetInfos } = (await session.send("Target.getTargets")) as { targetInfos: TargetInfo[] };
    const target = targetInfos.find((info) => info.type === "service_worker" && info.url.startsWith(`chrome-extension://${extensionId}/`));
    if (target === undefined) throw new Error("ToolKey's service worker has no target to attach to");
    const { sessionId } = (await session.send("Target.attachToTarget", { targetId: target.targetId, flatten: false })) as {
      sessionId: string;
    };
    const worker = new ServiceWorkerSession(session, sessionId);
    session.on("Target.receivedMessageFromTarget", (event: { sessionId: string; message: string }) => {
      if (event.sessionId === sessionId) worker.receive(JSON.parse(event.message) as WorkerMessage);
    });
    await worker.send("Runtime.enable");
    return worker;
  }

  private receive(message: WorkerMessage): void {
    if (message.id !== undefined) {
      this.replies.get(message.id)?.(message);
      this.replies.delete(message.id);
    } else if (message.method === "Runtime.exceptionThrown") {
      const details = (message.params as { exceptionDetails: ExceptionDetails }).exceptionDetails;
      const line = `${details.text} ${details.exception?.description ?? String(details.exception?.value)}`;
      this.exceptions.set(details.exceptionId, line);
    } else if (message.method === "Runtime.exceptionRevoked") {
      this.exceptions.delete((message.params as { exceptionId: number }).exceptionId);
    }
  }

  private send(method: string, params: Record<string, unknown> = {}): Promise<WorkerMessage> {
    const id = this.nextId++;
    const reply = new Promise<WorkerMessage>((done) => this.replies.set(id, done));
    void this.session.send("Target.sendMessageToTarget", { sessionId: this.sessionId, message: JSON.stringify({ id, method, params }) });
    return reply;
  }

  /** Evaluates the expression in the worker's running start, awaiting a promise it gives. */
  async evaluate(expression: string): Promise<unknown> {
    const reply = await this.send("Runtime.evaluate", { expression, awaitPromise: true, returnByValue: true });
    if (reply.error !== undefined) throw new Error(`the service worker refused to evaluate: ${reply.error.message}`);
    const details = reply.result?.exceptionDetails;
    if (details !== undefined) throw new Error(`the service worker threw: ${details.exception?.description ?? details.text}`);
    return reply.result?.result?.value;
  }

  /** What the worker has left uncaught or unhandled since the session attached. */
  unhandled(): string[] {
    return [...this.exceptions.values()].map((line) => `in the background: ${line}`);
  }
}
