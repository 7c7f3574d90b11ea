export { freePort } from '../../tools/temporal-cli/ports';
