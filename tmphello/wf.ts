import { proxyActivities } from '@temporalio/workflow';
const a = proxyActivities<{ noop(): Promise<number> }>({ startToCloseTimeout: '10s' });
export async function hello(n: number): Promise<number> { let s = 0; for (let i = 0; i < n; i++) s += await a.noop(); return s; }
