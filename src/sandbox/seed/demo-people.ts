import type { DemoRole } from '../state/types.js';

/** The demo company: a multi-channel retailer. Data, not code — edit freely. */

export interface DemoDepartment {
  key: string;
  name: string;
  en_name: string;
  parent?: string;
}

export interface DemoPerson {
  key: string;
  name: string;
  en_name: string;
  department: string;
  role: DemoRole;
  title: string;
  channel?: string;
}

export interface DemoGroup {
  key: string;
  name: string;
  description: string;
  /** Members: department keys and/or person keys. */
  members: string[];
}

export const DEMO_DEPARTMENTS: DemoDepartment[] = [
  { key: 'cs', name: '客服中心', en_name: 'Customer Service' },
  { key: 'cs_tmall', name: '天猫客服组', en_name: 'Tmall CS', parent: 'cs' },
  { key: 'cs_jd', name: '京东客服组', en_name: 'JD CS', parent: 'cs' },
  { key: 'cs_douyin', name: '抖音客服组', en_name: 'Douyin CS', parent: 'cs' },
  { key: 'cs_store', name: '门店客服组', en_name: 'Store CS', parent: 'cs' },
  { key: 'cs_private', name: '私域客服组', en_name: 'Private-domain CS', parent: 'cs' },
  { key: 'qa', name: '质检组', en_name: 'Quality Assurance' },
  { key: 'warehouse', name: '仓储物流部', en_name: 'Warehouse & Logistics' },
  { key: 'refund', name: '售后纠纷组', en_name: 'Refunds & Disputes' },
  { key: 'legal', name: '法务部', en_name: 'Legal' },
  { key: 'finance', name: '财务部', en_name: 'Finance' },
  { key: 'community', name: '社群运营部', en_name: 'Community Operations' },
  { key: 'management', name: '管理层', en_name: 'Management' },
];

const agent = (key: string, name: string, en_name: string, channel: string): DemoPerson => ({
  key,
  name,
  en_name,
  department: `cs_${channel}`,
  role: 'cs_agent',
  title: '客服专员 CS Agent',
  channel,
});
const lead = (key: string, name: string, en_name: string, channel: string): DemoPerson => ({
  key,
  name,
  en_name,
  department: `cs_${channel}`,
  role: 'cs_team_lead',
  title: '客服组长 CS Team Lead',
  channel,
});
const person = (
  key: string,
  name: string,
  en_name: string,
  department: string,
  role: DemoRole,
  title: string,
): DemoPerson => ({
  key,
  name,
  en_name,
  department,
  role,
  title,
});

export const DEMO_PEOPLE: DemoPerson[] = [
  lead('zhaomin', '赵敏', 'Zhao Min', 'tmall'),
  agent('wangxiaoli', '王晓丽', 'Wang Xiaoli', 'tmall'),
  agent('chenjing', '陈静', 'Chen Jing', 'tmall'),
  agent('liuyang', '刘洋', 'Liu Yang', 'tmall'),
  agent('zhangting', '张婷', 'Zhang Ting', 'tmall'),
  lead('wugang', '吴刚', 'Wu Gang', 'jd'),
  agent('lina', '李娜', 'Li Na', 'jd'),
  agent('huanglei', '黄磊', 'Huang Lei', 'jd'),
  agent('zhoutingting', '周婷婷', 'Zhou Tingting', 'jd'),
  lead('hubin', '胡斌', 'Hu Bin', 'douyin'),
  agent('sunyue', '孙悦', 'Sun Yue', 'douyin'),
  agent('machao', '马超', 'Ma Chao', 'douyin'),
  agent('zhulin', '朱琳', 'Zhu Lin', 'douyin'),
  lead('linfeng', '林峰', 'Lin Feng', 'store'),
  agent('guofang', '郭芳', 'Guo Fang', 'store'),
  agent('heping', '何平', 'He Ping', 'store'),
  agent('gaomin', '高敏', 'Gao Min', 'private'),
  person('zhengxue', '郑雪', 'Zheng Xue', 'qa', 'qa_lead', '质检主管 QA Lead'),
  person('xujing', '徐静', 'Xu Jing', 'qa', 'qa_inspector', '质检专员 QA Inspector'),
  person('liangchen', '梁晨', 'Liang Chen', 'qa', 'qa_inspector', '质检专员 QA Inspector'),
  person('songjia', '宋佳', 'Song Jia', 'qa', 'qa_inspector', '质检专员 QA Inspector'),
  person('fengqiang', '冯强', 'Feng Qiang', 'warehouse', 'warehouse', '仓库主管 Warehouse Lead'),
  person('xiejun', '谢军', 'Xie Jun', 'warehouse', 'warehouse', '仓管员 Warehouse Clerk'),
  person('handong', '韩冬', 'Han Dong', 'warehouse', 'warehouse', '物流专员 Logistics Specialist'),
  person('tangwei', '唐伟', 'Tang Wei', 'warehouse', 'warehouse', '发货员 Shipping Clerk'),
  person('dongjie', '董杰', 'Dong Jie', 'refund', 'refund_dispute', '纠纷组长 Disputes Lead'),
  person('caoying', '曹颖', 'Cao Ying', 'refund', 'refund_dispute', '售后专员 After-sales Specialist'),
  person('pengliang', '彭亮', 'Peng Liang', 'refund', 'refund_dispute', '售后专员 After-sales Specialist'),
  person('zengli', '曾丽', 'Zeng Li', 'refund', 'refund_dispute', '理赔专员 Claims Specialist'),
  person('yuanyuan', '袁媛', 'Yuan Yuan', 'legal', 'legal', '法务经理 Legal Manager'),
  person('dengchao', '邓超', 'Deng Chao', 'legal', 'legal', '法务专员 Legal Counsel'),
  person('shentao', '沈涛', 'Shen Tao', 'finance', 'finance', '财务经理 Finance Manager'),
  person('xuwen', '许文', 'Xu Wen', 'finance', 'finance', '会计 Accountant'),
  person('fuhong', '傅红', 'Fu Hong', 'finance', 'finance', '出纳 Cashier'),
  person('luting', '卢婷', 'Lu Ting', 'community', 'community_operator', '社群运营主管 Community Lead'),
  person('jiangxin', '蒋欣', 'Jiang Xin', 'community', 'community_operator', '社群运营 Community Operator'),
  person('caiming', '蔡明', 'Cai Ming', 'community', 'community_operator', '社群运营 Community Operator'),
  person('jiaqi', '贾琪', 'Jia Qi', 'community', 'community_operator', '内容运营 Content Operator'),
  person('yangfan', '杨帆', 'Yang Fan', 'management', 'manager', '客服总监 Head of CS'),
  person('qinlan', '秦岚', 'Qin Lan', 'management', 'manager', '运营副总裁 VP Operations'),
  person('luyuan', '陆远', 'Lu Yuan', 'management', 'manager', '总经理 General Manager'),
];

export const DEMO_GROUPS: DemoGroup[] = [
  {
    key: 'cs_tmall',
    name: '天猫客服组',
    description: '天猫店铺客服日常 Tmall CS team',
    members: ['cs_tmall', 'zhengxue'],
  },
  { key: 'cs_jd', name: '京东客服组', description: '京东店铺客服日常 JD CS team', members: ['cs_jd', 'zhengxue'] },
  {
    key: 'cs_douyin',
    name: '抖音客服组',
    description: '抖音小店客服日常 Douyin CS team',
    members: ['cs_douyin', 'zhengxue'],
  },
  {
    key: 'cs_store',
    name: '门店与私域客服',
    description: '门店及私域客服 Store & private-domain CS',
    members: ['cs_store', 'cs_private', 'zhengxue'],
  },
  {
    key: 'qa',
    name: '质检组',
    description: '质检抽样、评分与申诉 QA sampling, scoring, appeals',
    members: ['qa', 'zhaomin', 'wugang', 'hubin', 'linfeng', 'yangfan'],
  },
  {
    key: 'warehouse',
    name: '仓库发货群',
    description: '异常件与补发跟进 Exception parcels and re-shipping',
    members: ['warehouse', 'dongjie', 'caoying'],
  },
  {
    key: 'refund',
    name: '售后纠纷处理群',
    description: '退款纠纷、赔付审批 Refund disputes and compensation',
    members: ['refund', 'fengqiang', 'shentao', 'yangfan'],
  },
  {
    key: 'legal',
    name: '法务合同审批群',
    description: '合同台账与审批 Contract ledger and approvals',
    members: ['legal', 'shentao', 'qinlan', 'luyuan'],
  },
  {
    key: 'finance',
    name: '财务群',
    description: '付款、预算与赔付 Payments, budgets, compensation',
    members: ['finance', 'qinlan'],
  },
  {
    key: 'community',
    name: '社群运营群',
    description: '社群数据日报与异常提醒 Community daily metrics',
    members: ['community', 'qinlan'],
  },
  {
    key: 'management',
    name: '管理层周报群',
    description: '经营周报 Weekly management digest',
    members: ['management', 'zhengxue', 'shentao', 'luting'],
  },
];
