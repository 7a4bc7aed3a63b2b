export { TransparencyPage } from './TransparencyPage';
